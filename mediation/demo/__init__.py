"""Demo and test data outside the core: a sample county and cases driven to any state through the engine."""
