"""Benchmarks: each measures a figure an issue names against a baseline in the same run."""
