"""Timers and follow-up: the deadline worker, its loop, and key-case orders."""
