"""Checking provider files: the checks the planner and ``validate`` share, key names, and
the validation of a directory with its cache.
"""
