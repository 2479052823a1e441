"""The bound 卷宗 of the pdf benchmark (issue 12): a case with 4 session records, 10 evidence pictures of
about 1 MiB each (JPEG and PNG of random pixels, which do not compress) and 2 return visits, made
through the engine and the attachments service."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from pathlib import Path

from PIL import Image

from mediation.cases.attachments import store_attachment
from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for

SESSIONS, PICTURES, PICTURE_BYTES = 4, 10, 1024 * 1024
# Sides (pixels) of a random-pixel picture of about 1 MiB: PNG keeps 3 bytes a pixel, JPEG at quality 95 about 1.6.
SIDES = {"PNG": 592, "JPEG": 800}


def picture(fmt: str, seed: int) -> bytes:
    """A picture of random pixels, about PICTURE_BYTES long."""
    side = SIDES[fmt]
    image = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def bound_case(db: Database) -> int:
    """The case; its id."""
    start = utcnow() - timedelta(days=60)
    held_at = (start + timedelta(hours=8)).isoformat(timespec="minutes")  # China time, before every session
    session = ("record_session", {"held_at": held_at, "place": "江北社区人民调解委员会调解室", "outcome": "adjourned",
                                  "findings": "双方陈述各自意见，对补偿金额仍有分歧，约定改期再调。" * 3})
    rounds = [("start_session", session, "adjourn")] * (SESSIONS - 1)
    route = ("triage", "assign_mediator", ("notify_rights*", {"method": "in_person"}), "record_consent*",
             *[step for round_ in rounds for step in round_], "start_session", session, "draft_agreement", "sign*",
             ("sign", {"signer": "mediator"}), "seal", "conclude_agreement", "start_follow_up",
             "record_return_visit", "record_return_visit")
    case_id = drive_to(db, state="follow_up.tracking", county=SampleCounty(), route=route, now=start)
    mediator = actor_for(db, "mediator1")
    for number in range(PICTURES):
        fmt = ("JPEG", "PNG")[number % 2]
        store_attachment(db, actor=mediator, case_id=case_id, kind="photo", description=f"现场照片{number + 1}",
                         file_name=f"现场照片{number + 1}.{fmt.lower()}", stream=io.BytesIO(picture(fmt, number)),
                         now=utcnow())
    return case_id


def static_html_with_files(html: str, images: dict[str, bytes], directory: Path) -> str:
    """The case file's HTML with its pictures as files (the reference reads them with WeasyPrint's own fetcher)."""
    for url, content in images.items():
        path = directory / url.replace(":", "-")
        path.write_bytes(content)
        html = html.replace(f'src="{url}"', f'src="{path.as_uri()}"')
    return html
