"""Org units, users and who is acting: accounts, identity, tokens and the directory's look-ups."""
