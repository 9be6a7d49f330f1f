"""GitHub: the pull-request comment and the Action's helpers."""
