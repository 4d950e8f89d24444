"""Where the catalog comes from: fetching it, the HTTP cache, deadlines, network errors,
progress and clearing the cache.
"""
