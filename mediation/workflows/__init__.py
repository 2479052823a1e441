"""Workflows as data: definitions and policy (YAML), the machine built from them, guards, effects, the calendar."""
