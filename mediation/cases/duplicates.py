"""Whether a case about to be filed is already present (DESIGN §9.7 `import`).

A case is already present when a case carries its number, or when a case has the same title,
the same description and the same people: each party by name and ID number, in any order and
whatever their roles (the same dispute written up with the sides the other way round is still
the same dispute). Unit, channel, category and risk level do not count: the same dispute filed
by another unit or through another channel is still a duplicate. Closed cases count.
"""

from __future__ import annotations

from collections.abc import Iterable

from mediation.cases.intake import CaseInput
from mediation.cases.numbers import case_id_by_number
from mediation.db import RawTransaction
from mediation.errors import InvalidData

SAME_FACTS_SQL = (
    "SELECT c.id, c.number FROM cases c JOIN case_texts t ON t.case_id = c.id "
    "WHERE c.title = :title AND t.description = :description ORDER BY c.id"
)
PEOPLE_SQL = "SELECT name, id_number FROM parties WHERE case_id = :id"
NUMBER_SQL = "SELECT number FROM cases WHERE id = :id"


class AlreadyPresent(InvalidData):
    """The case is filed already; `number` is the case present."""

    def __init__(self, field: str, reason: str, number: str) -> None:
        super().__init__(field, reason)
        self.number = number


def refuse_if_present(tx: RawTransaction, case: CaseInput, *, number: str | None = None) -> None:
    """AlreadyPresent naming the case present (by `number`, else by parties and facts); nothing when new."""
    if number:
        found = case_id_by_number(tx, number)
        if found is not None:
            present = tx.one(NUMBER_SQL, {"id": found})[0]
            raise AlreadyPresent("number", f"case {present} is already present", present)
    wanted = _people((party.name, party.id_number) for party in case.parties)
    facts = {"title": case.title.strip(), "description": case.description.strip()}
    for case_id, present in tx.all(SAME_FACTS_SQL, facts):
        if _people(tx.all(PEOPLE_SQL, {"id": case_id})) == wanted:
            raise AlreadyPresent("case", f"the same title, description and parties as case {present}, "
                                 "which is already present", present)


def _people(parties: Iterable[tuple[str | None, str | None]]) -> list[tuple[str, str]]:
    """Parties by name and ID number (a letter X in either case), in a fixed order."""
    return sorted(((name or "").strip(), (id_number or "").strip().upper()) for name, id_number in parties)
