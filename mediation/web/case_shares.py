"""The case page's 协同调解 section (DESIGN §9.5): the units the case is shared with, and the share forms' units.

The section lists each partner unit by name with the reason, who shared the case and when, and the
partner a `referral_in` case came from (转入自 …). The share and end forms are the workflow's own
trigger forms; here their unit field offers units by name: every unit but the case's own and those
shared with already to share with, and only the shared ones to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mediation.cases.read_models import CaseDetail
from mediation.cases.shares import case_shares, referred_from
from mediation.db import Database
from mediation.directory.queries import units_of_kind
from mediation.web.forms import TriggerForm
from mediation.web.page import Page, local_time

SHARE_TRIGGERS = ("share_with_unit", "end_sharing")


@dataclass
class ShareLine:
    unit_code: str
    unit_name: str
    reason: str
    shared_by: str
    shared_at: str  # China time to the minute


@dataclass
class ShareSection:
    shares: list[ShareLine] = field(default_factory=list)
    referred_from: str | None = None  # the partner unit's name


def share_section(db: Database, case_id: int) -> ShareSection:
    """What the section shows of a case the reader reaches."""
    with db.snapshot() as tx:
        shares, sender = case_shares(tx, case_id), referred_from(tx, case_id)
    return ShareSection([ShareLine(s.unit_code, s.unit_name, s.reason or "", s.shared_by or "", local_time(s.shared_at))
                         for s in shares], sender)


def offer_share_units(page: Page, db: Database, detail: CaseDetail, section: ShareSection,
                      trigger_forms: list[TriggerForm]) -> None:
    """The share forms' unit field: a choice of units by name (no codes on the page)."""
    wanted = [form for form in trigger_forms if form.trigger in SHARE_TRIGGERS]
    if not wanted:
        return
    shared = {line.unit_code: line.unit_name for line in section.shares}
    with db.snapshot() as tx:
        units = units_of_kind(tx, None)
    for form in wanted:
        unit = next((f for f in form.fields if f.name == "unit"), None)
        if unit is None:
            continue
        unit.label = page.words.t("share_unit")
        if form.trigger == "end_sharing":
            unit.choices = list(shared.items())
            if not shared:  # nothing to end: the button is disabled with the reason
                form.blocked = form.blocked or page.words.t("no_shares")
        else:
            unit.choices = [(code, name) for code, name in units if code not in shared and code != detail.unit.code]
