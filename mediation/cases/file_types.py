"""The kinds of file a case may take, told from their first bytes (DESIGN §9.2): PDF, JPEG, PNG, MP3, M4A.

What a client says a file is (its name, its Content-Type) is never trusted: puremagic reads the
file's own signature. The answer is one of ACCEPTED's media types, or None.
"""

from __future__ import annotations

import puremagic

# The media types taken, with the name a reader knows each by.
ACCEPTED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "audio/mpeg": "MP3",
    "audio/mp4": "M4A",
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "audio/mpeg": ".mp3",
              "audio/mp4": ".m4a"}
# puremagic names some signatures by extension only (an M4A's `ftypM4A ` box has no media type in its table).
_BY_EXTENSION = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jfif": "image/jpeg",
                 ".png": "image/png", ".mp3": "audio/mpeg", ".mpga": "audio/mpeg", ".m4a": "audio/mp4",
                 ".f4a": "audio/mp4"}
SNIFF_BYTES = 8192  # enough for every signature of ACCEPTED (the longest, an M4A's ftyp box, is ~40 bytes)


def accepted_names() -> str:
    """"PDF, JPEG, PNG, MP3, M4A": the accepted kinds, for a refusal to name."""
    return ", ".join(ACCEPTED.values())


def sniffed_type(head: bytes) -> str | None:
    """The accepted media type the bytes begin with, or None (nothing accepted matches)."""
    if not head:
        return None
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:  # no signature known at all
        return None
    for match in matches:  # best first
        media_type = match.mime_type if match.mime_type in ACCEPTED else _BY_EXTENSION.get(match.extension)
        if media_type is not None:
            return media_type
    return None
