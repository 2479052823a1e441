"""The HTTP API (Litestar): DESIGN §6. `mediation.app.create_app` assembles it with the web workspace."""
