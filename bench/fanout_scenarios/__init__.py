"""Fan-out scenarios for bench/fanout.py: one module per scenario (see README.md in this folder)."""
