"""Benchmarks against the raw library calls, measured in the same run (``python -m benchmarks``)."""
