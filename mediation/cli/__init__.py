"""The `mediation` command line (DESIGN §7): thin commands over the services."""

from mediation.cli import cases, directory, documents, notifications, runtime, transfer, workflows  # noqa: F401  (register)
from mediation.cli._app import app

__all__ = ["app"]
