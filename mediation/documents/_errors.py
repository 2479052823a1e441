"""Why a document cannot be had; the API maps each to its status (mediation/api/errors.py)."""

from __future__ import annotations

from mediation.errors import MediationError, NotFound


class UnknownDocument(NotFound):
    """No such kind of document (DESIGN §6 names five)."""


class DocumentNotApplicable(MediationError):
    """The kind does not apply to the case as it stands, e.g. an agreement before one was drafted."""

    status_code = 409


class DocumentTooLarge(MediationError):
    """The case is too big to print: too much text, too many pages, or too long to lay out."""

    status_code = 413


class RendererBusy(MediationError):
    """Every rendering process is busy and the queue is full; try again shortly."""

    status_code = 503
