"""The HTTP API (Litestar): DESIGN §6."""

from mediation.api.app import create_app

__all__ = ["create_app"]
