"""The `mediation` command line (DESIGN §7): thin commands over the services."""

from mediation.cli import (  # noqa: F401  (register)
    backup,
    calendar,
    cases,
    directory,
    documents,
    figures,
    migrate,
    notifications,
    runtime,
    transfer,
    workflow_versions,
    workflows,
)
from mediation.cli._app import app

__all__ = ["app"]
