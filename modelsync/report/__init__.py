"""What a sync reports: the result types and their JSON form, then their renderings as text
and as Markdown.
"""
