"""Step definitions shared by every feature; `features/conftest.py` makes them visible."""
