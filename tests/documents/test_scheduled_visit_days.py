"""The return-visit record names the day each scheduled visit is due (待回访), as the policy counts it.

Follow-up starts on Monday 2 March 2026 at 17:00 China time; the visits at +7 and +30 days are due by
24:00 China time of 9 March and of 1 April (whole days, the day follow-up started not counted). The
deadlines are stored as 00:00 of the next day; the record names the day they end, not the next one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from documents_support import page_texts, render, squeezed

from mediation.db import Database
from mediation.demo.case_paths import TRACKING, drive_to
from mediation.demo.sample_county import SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures


def test_the_record_names_the_last_day_of_each_scheduled_visit(module_county_db: Database) -> None:
    case_id = drive_to(module_county_db, state="follow_up.tracking", county=SampleCounty(), route=TRACKING,
                       now=datetime(2026, 3, 2, 9, 0), step=timedelta(0))
    text = squeezed("".join(page_texts(render(module_county_db, case_id, "return_visit"))))
    assert "待回访：2026年3月9日、2026年4月1日" in text, text
