"""What the engine tells people and systems: the outbox and its webhooks."""
