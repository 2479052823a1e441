"""How a document is handed to a reader over HTTP: its media type, its file name, when to retry."""

from __future__ import annotations

from urllib.parse import quote

from mediation.documents._service import PreparedDocument

PDF = "application/pdf"
RETRY_AFTER_SECONDS = 5

def disposition(prepared: PreparedDocument) -> str:
    """Inline, named by the case number (RFC 6266 / RFC 5987 `filename*` for the Chinese name)."""
    return (f'inline; filename="{prepared.ascii_file_name}"; '
            f"filename*=UTF-8''{quote(prepared.file_name, safe='')}")
