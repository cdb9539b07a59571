"""Language knowledge and language identification (see detect.py)."""
