"""Small helpers every layer uses: safe text for terminals, close matches, digests, files,
signals, key-safe URLs, numbers in words.
"""
