"""``python -m bot ...``: the command line, one module per group of commands."""
