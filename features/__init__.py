"""Acceptance specifications: Gherkin features and the steps that bind them to the engine."""
