"""The case file and the one door that changes it: intake, the engine, events, reach, views, transfer."""
