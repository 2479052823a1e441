"""Benchmarks for the mediation case engine (run with ``python -m benchmarks <name>``)."""
