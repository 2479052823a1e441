"""What a trigger's data names, looked up for the engine: users by username, units by code, the case's
parties, other cases in the caller's reach. Anything unknown is refused as InvalidData naming the field."""

from __future__ import annotations

from typing import Any

from mediation.cases.case_reach import load_reach, reaches
from mediation.db import RawTransaction
from mediation.directory.actors import Actor
from mediation.directory.queries import active_user, unit_by_code
from mediation.errors import InvalidData
from mediation.workflows.case_state import CaseState


def resolve_lookups(tx: RawTransaction, actor: Actor, spec, cleaned: dict[str, Any],
                     case: CaseState) -> dict[str, Any]:
    """Ids for usernames, unit codes, party and case ids named in the data; InvalidData if unknown."""
    resolved: dict[str, Any] = {}
    for field in spec.fields:
        value = cleaned.get(field.name)
        if value is None:
            continue
        where = f"data.{field.name}"
        if field.type == "username":
            found = active_user(tx, value)
            if found is None:
                raise InvalidData(where, f"no active user '{value}'")
            if field.roles and not found[1] & set(field.roles):
                raise InvalidData(where, f"user '{value}' holds none of the roles {list(field.roles)}")
            resolved[field.name] = found[0]
        elif field.type in ("unit_code", "unit_codes"):
            ids = [_unit_id(tx, where, code, field.kind) for code in ([value] if field.type == "unit_code" else value)]
            resolved[field.name] = ids[0] if field.type == "unit_code" else ids
        elif field.type in ("party_id", "party_ids"):
            unknown = sorted(set([value] if field.type == "party_id" else value) - set(case.party_ids))
            if unknown:
                raise InvalidData(where, f"parties {unknown} are not parties to this case")
        elif field.type == "objects":
            _check_parties_named(where, field, value, case.party_ids)
        elif field.type == "case_id":
            # A case out of the actor's reach reads exactly like one that does not exist.
            named = load_reach(tx, value)
            if named is None or not reaches(tx, actor, named):
                raise InvalidData(where, f"no case {value}")
    return resolved


def _check_parties_named(where: str, field, items: list[dict[str, Any]], party_ids: list[int]) -> None:
    """Each party id inside a list of objects (a session's statements) names a party of the case."""
    for name in (sub.name for sub in field.fields if sub.type == "party_id"):
        for i, item in enumerate(items):
            if name in item and item[name] not in party_ids:
                raise InvalidData(f"{where}[{i}].{name}", f"party {item[name]} is not a party to this case")


def _unit_id(tx: RawTransaction, where: str, code: str, kind: str | None) -> int:
    found = unit_by_code(tx, code)
    if found is None:
        raise InvalidData(where, f"no unit '{code}'")
    if kind and found.kind != kind:
        raise InvalidData(where, f"unit '{code}' is a {found.kind}, not a {kind}")
    return found.id
