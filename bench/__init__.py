"""Benchmark scripts (run them as files: `.venv/bin/python bench/NAME.py [--quick]`) and their scenarios."""
