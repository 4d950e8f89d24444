"""The uses of the synced catalog: the read-only view and its index, queries, exact costs,
the router and learned scores.
"""
