"""Support for the document tests: a case that has everything, and ways to look inside a PDF.

The case's parties carry the numbers of DESIGN §5's masking example; its description carries
markup and a URL that must stay text, and words too long for a line.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.demo.case_paths import UNRESOLVED, drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import SYSTEM, Actor
from mediation.documents import DocumentRequest, document_bytes, prepare_document

ID_NUMBER, ID_MASKED = "330324199001031234", "330324********1234"
PHONE, PHONE_MASKED = "13812345678", "138****5678"
OTHER_PHONE, OTHER_PHONE_MASKED = "13987654321", "139****4321"
CLEAR_NUMBERS = (ID_NUMBER, PHONE, OTHER_PHONE)
MASKED_NUMBERS = (ID_MASKED, PHONE_MASKED, OTHER_PHONE_MASKED)
SMUGGLED = '<img src="http://127.0.0.1:9/leak.png"><link rel="stylesheet" href="file:///etc/passwd">'
LONG_URL = "https://example.com/" + "a1b2c3d4e5" * 30
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwe" * 4
CJK = re.compile(r"[\u4e00-\u9fff]")

# Every section of the case file: a referral (fed back unresolved), two sessions, a signed and
# sealed agreement, judicial confirmation, two return visits, closure.
EVERYTHING = (
    "triage", "refer_department", "acknowledge", UNRESOLVED, "confirm_feedback", "assign_mediator",
    ("notify_rights*", {"method": "in_person"}), "record_consent*", "start_session", "adjourn", "start_session",
    ("record_session", {"held_at": "2026-01-05T10:00", "place": "江北社区人民调解委员会调解室", "outcome": "agreed",
                        "findings": "双方对噪音事实无争议，同意协商补偿。"}),
    "draft_agreement", "sign*",
    ("sign", {"signer": "mediator"}), "seal", "conclude_agreement", "apply_judicial_confirmation",
    "court_accept", "confirm", "record_return_visit", "record_return_visit", "verify_closure",
)


def case_input(county: SampleCounty, **changes) -> CaseInput:
    fields = dict(
        title="王某某与李某某楼上装修噪音纠纷", channel="grid_screening", unit=county.grid, category="neighbour",
        description=("网格员排查发现，居民王某某反映楼上李某某家夜间装修，噪音影响休息，双方多次争执。"
                     f"\n当事人在微信群里贴出的链接：{LONG_URL}\n外文名：{LONG_WORD}\n留言原文：{SMUGGLED}"),
        parties=[PartyInput("王某某", "applicant", id_number=ID_NUMBER, phone=PHONE),
                 PartyInput("李某某", "respondent", phone=OTHER_PHONE)],
    )
    return CaseInput(**{**fields, **changes})


def case_with_everything(db: Database) -> int:
    county = SampleCounty()
    return drive_to(db, state="closed.resolved", county=county, case_input=case_input(county), route=EVERYTHING)


def viewer(db: Database, username: str | None) -> Actor:
    return actor_for(db, username) if username else SYSTEM


def render(db: Database, case_id: int, kind: str, *, username: str | None = "mediator1", lang: str = "zh",
           archival: bool = False) -> bytes:
    """The document as `username` gets it, rendered in this process."""
    prepared = prepare_document(db, viewer(db, username), case_id, DocumentRequest(kind, lang, archival))
    return document_bytes(prepared)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    """Text without any whitespace (extraction puts line breaks inside long runs)."""
    return "".join(text.split())


def write(tmp_path: Path, pdf: bytes, name: str = "document.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdffonts(path: Path) -> list[list[str]]:
    """`pdffonts` rows: name, type, encoding, emb, sub, uni, object, generation."""
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in output.splitlines()[2:]]


def ink_share(path: Path, page: int = 1) -> float:
    """The share of a page's pixels that are not white, rendered at 30 dpi with `pdftoppm`."""
    prefix = path.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(prefix)], check=True)
    image = Image.open(prefix.with_suffix(".png")).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / (image.width * image.height)


def word_boxes(path: Path) -> list[tuple[float, float, str]]:
    """(xMax, page width, word) of every word, from `pdftotext -bbox`."""
    output = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                            text=True).stdout
    boxes, width = [], 0.0
    for line in output.splitlines():
        if page := re.search(r'<page width="([\d.]+)"', line):
            width = float(page.group(1))
        elif word := re.search(r'xMax="([\d.]+)"[^>]*>(.*)</word>', line):
            boxes.append((float(word.group(1)), width, word.group(2)))
    return boxes
