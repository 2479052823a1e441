"""Cross-jurisdiction co-mediation in the figures (DESIGN §9.5): a shared case counts for both units.

A case shared with a partner unit is in the reach of both, so each unit's supervisors count it; the
`unit` scope takes in the cases shared with a unit of that subtree; `partner` narrows the figures to
the cases shared with one unit; `co_mediation` tells how many cases in scope were co-mediated and
with whom.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mediation.db import RawTransaction
from mediation.directory.queries import unit_by_code
from mediation.errors import UnknownFilterValue
from mediation.metrics.periods import period_condition
from mediation.metrics.report import CoMediation, UnitCount

SHARED_WITH_PARTNER = "c.id IN (SELECT ps.case_id FROM case_shares ps WHERE ps.unit_id = :partner_id)"
SHARED_IN_SUBTREE = (
    "c.id IN (SELECT ss.case_id FROM case_shares ss JOIN units su ON su.id = ss.unit_id "
    "WHERE su.path LIKE :scope_path ESCAPE '\\')"
)
BY_PARTNER = (
    "SELECT u.code, u.name, count(*) FROM case_shares s JOIN units u ON u.id = s.unit_id "
    "JOIN cases c ON c.id = s.case_id WHERE {where} GROUP BY u.code, u.name"
)
# Read from the shares (few) to their cases, never the other way round.
SHARED_CASES = "SELECT count(*) FROM cases c WHERE c.id IN (SELECT s.case_id FROM case_shares s) AND {where}"


def partner_condition(tx: RawTransaction, partner: str, params: dict[str, Any]) -> str:
    """SQL (over `cases c`) for the cases shared with the unit `partner`; 400 naming `partner` when no unit has it."""
    found = None if any(char < " " or char == "\x7f" for char in partner) else unit_by_code(tx, partner)
    if found is None:
        raise UnknownFilterValue("partner", partner, f"no unit '{partner}'")
    params["partner_id"] = found.id
    return SHARED_WITH_PARTNER


def co_mediation(tx: RawTransaction, where: str, params: dict[str, Any], date_from: date | None,
                 date_to: date | None) -> CoMediation:
    """The co-mediated cases created in the period among those `where` selects, and the units they were shared with."""
    params = dict(params)
    created = period_condition(tx, "c.created_at", "created", date_from, date_to, params)
    where = f"{where} AND {created}"
    partners = sorted(tx.all(BY_PARTNER.format(where=where), params), key=lambda row: (-row[2], row[0]))
    return CoMediation(cases=tx.one(SHARED_CASES.format(where=where), params)[0],
                       by_partner=[UnitCount(code, name, count) for code, name, count in partners])
