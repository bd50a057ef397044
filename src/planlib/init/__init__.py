"""Making and checking a workspace: ``planlib init`` (create.py) and ``planlib check`` (check.py)."""
