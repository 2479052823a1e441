"""The HTTP API (Litestar): DESIGN §6. The application is built by `mediation.api.app.create_app`.

Nothing is imported here, so the web workspace can use the API's modules (identity, services,
documents) without loading the application, which in turn mounts the web workspace.
"""
