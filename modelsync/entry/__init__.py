"""What the entry points share: the task decorator and flag parsing, and the tasks that use
the synced catalog.
"""
