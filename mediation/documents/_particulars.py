"""What the documents print of the people of a case: each party's particulars (DESIGN §9.2) as the
reader may see them, and the files attached to the case, listed with their SHA-256 and, for pictures,
their bytes to print inline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mediation.cases.read_models import PartyView
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.documents._names import WITHHELD_FILES, Names, file_size

ATTACHMENTS_SQL = (
    "SELECT a.id, a.kind, a.description, a.file_name, a.content_type, a.size_bytes, a.sha256, u.display_name, "
    "a.created_at FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by "
    "WHERE a.case_id = :id AND a.sha256 <> '' ORDER BY a.id"  # an upload still coming in has no hash yet
)
CHUNKS_SQL = "SELECT data FROM attachment_chunks WHERE attachment_id = :id ORDER BY seq"
PRINTED_IMAGES = frozenset({"image/jpeg", "image/png"})


def read_attachments(tx: RawTransaction, case_id: int, masked: bool) -> list[dict[str, Any]]:
    """The case's attachments as stored (no bytes); an identity document only for a reader who sees numbers."""
    rows = tx.all(ATTACHMENTS_SQL, {"id": case_id})
    return [{"id": row[0], "kind": row[1], "description": row[2] or "", "file_name": row[3], "content_type": row[4],
             "size_bytes": row[5], "sha256": row[6], "uploaded_by": row[7] or "", "created_at": parse_timestamp(row[8])}
            for row in rows if not (masked and row[1] in WITHHELD_FILES)]


def read_pictures(db: Database, urls: list[str]) -> dict[str, bytes]:
    """`attachment:ID` -> the bytes of each picture a document prints (the fetcher serves them to WeasyPrint);
    a stored file never changes, so this read need not be the one the document's context came from."""
    with db.snapshot() as tx:
        return {url: b"".join(bytes(chunk) for (chunk,) in tx.all(CHUNKS_SQL, {"id": int(url.split(":")[1])}))
                for url in urls}


def image_url(attachment_id: int) -> str:
    return f"attachment:{attachment_id}"


def party_particulars(names: Names, party: PartyView, at: str | None) -> dict[str, Any]:
    """One party's particulars as printed: words for codes, age on `at` (the address is masked already
    when the reader may not see it)."""
    born = _date(party.birth_date)
    organisation = party.organisation
    return {
        "gender": names.value("gender", party.gender or ""), "ethnicity": party.ethnicity or "",
        "age": names.t("party.age_value", age=age_on(born, at)) if born else "",
        "birth_date": names.day(born.isoformat()) if born else "",
        "occupation": party.occupation or "", "address": party.address or "", "language": party.language or "",
        "needs_interpreter": party.needs_interpreter,
        "organisation": organisation.name if organisation else "",
        "legal_representative": (organisation.legal_representative or "") if organisation else "",
    }


def evidence_list(names: Names, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The evidence list of the case file: name, kind, size, who added it and when, SHA-256, picture or not."""
    return [{"no": number, "file_name": a["file_name"], "description": a["description"],
             "kind": names.value("kind", a["kind"]), "size": file_size(a["size_bytes"]),
             "added": f"{names.stamp(a['created_at'])} {a['uploaded_by']}".strip(), "sha256": a["sha256"],
             "image": image_url(a["id"]) if a["content_type"] in PRINTED_IMAGES else ""}
            for number, a in enumerate(attachments, 1)]


def age_on(born: date, at: str | None) -> int:
    """Whole years from `born` to the day `at` (an ISO timestamp; today when there is none)."""
    day = parse_timestamp(at).date() if at else datetime.now().date()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
