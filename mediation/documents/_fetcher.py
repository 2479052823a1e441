"""The only way a document reaches outside itself: the project's own template files, nothing else.

WeasyPrint asks its URL fetcher for every stylesheet, image and font a document names. This one
answers `file://` URLs inside `templates/documents/` and refuses everything else: other files
(`file:///etc/passwd`), the network (`http(s)://`, which would leak data to whoever serves it) and
`data:` URLs. Fonts come from fontconfig (Noto CJK), not through URLs.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from mediation.documents._rendering import TEMPLATE_DIR

SERVED_SUFFIXES = frozenset({".css", ".html", ".svg", ".png", ".otf", ".ttf", ".ttc", ".woff", ".woff2"})
MAX_FILE_BYTES = 32 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RefusedURL(ValueError):
    """A URL outside what documents may load."""


class DocumentURLFetcher(URLFetcher):
    """Serves files under `roots` (the document templates) and the case's own pictures (`attachment:ID`,
    bytes read from the database beforehand); refuses any other URL."""

    def __init__(self, roots: tuple[Path, ...] = (TEMPLATE_DIR,), images: dict[str, bytes] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.images = images or {}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url in self.images:
            content = self.images[url]
            media_type = "image/png" if content.startswith(PNG_SIGNATURE) else "image/jpeg"
            return URLFetcherResponse(url, body=content, headers={"Content-Type": media_type})
        try:
            path = self._allowed_path(url)
        except RefusedURL:
            self.refused.append(url[:200])
            raise
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type})

    def _allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"documents load only their own template files, not {url[:80]!r}")
        path = Path(unquote(parts.path)).resolve()  # follows `..` and symlinks before the check
        if not any(path.is_relative_to(root) for root in self.roots) or path.suffix not in SERVED_SUFFIXES:
            raise RefusedURL(f"{path} is not a document template file")
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise RefusedURL(f"{path} is not a readable template file")
        return path
