"""The executor: runs a plan against a backend and reports what happened."""
