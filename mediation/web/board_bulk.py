"""Bulk actions on the board: the form for the ticked cases and what it says after they were fired.

The board offers the actions of `BULK_ACTIONS` the user's roles may fire (reassigning takes the
mediators of the user's county, as the case page's forms do); one submit fires the chosen trigger
on each ticked case through `fire_bulk` (one transaction and event per case, at the version the
board showed). The outcome is told in the reader's words, failures by case number and reason;
a case the user cannot reach is only counted, never named.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from mediation.cases.access import roles_may_fire
from mediation.cases.bulk import CaseOutcome, bulk_triggers
from mediation.services import services_of
from mediation.web import forms
from mediation.web.i18n import Words
from mediation.web.page import Page, reason_text
from mediation.workflows.definition import WorkflowDefinition

BULK_ACTIONS = ("assign_mediator", "replace_mediator", "designate_key_case", "add_note")
NO_CASE = SimpleNamespace(parties=[])  # bulk data names no party of a case
MAX_KEY = 64


@dataclass
class BulkGroup:
    """Fields shown once, and the actions that take exactly them (assigning and replacing a mediator)."""

    fields: list[forms.FormField]
    actions: list[tuple[str, str]] = field(default_factory=list)  # (trigger, label)


def offered_actions(page: Page, definition: WorkflowDefinition) -> list[str]:
    """The bulk actions the user's roles may fire (department and court roles on the cases referred to them);
    worked out once per definition and roles (the list is shared: read it only)."""
    roles = page.actor.roles
    return definition.told("offered_bulk_actions", roles, lambda: [
        name for name in BULK_ACTIONS if name in bulk_triggers(definition)
        and roles_may_fire(roles, definition.triggers[name].roles, referred_to_them=(True, True))])


def bulk_form(page: Page, definition: WorkflowDefinition, raw: dict[str, Any] | None = None, *,
              fields: bool = True) -> dict[str, Any] | None:
    """The bulk form's groups of fields and actions, and a fresh key against a double submit; None when
    the user may fire none of them. Without `fields` the groups are left out (None): the board loads them
    when the user opens the form, since their pickers list every assignable person of the county."""
    if not fields:
        return {"groups": None, "key": uuid.uuid4().hex} if offered_actions(page, definition) else None
    words, raw = page.words, raw or {}
    db = services_of(page.request).db
    county_prefix = "/" + page.actor.unit_path.strip("/").split("/")[0] + "/"
    groups: dict[tuple[str, ...], BulkGroup] = {}
    for name in offered_actions(page, definition):
        spec = definition.triggers[name]
        names = tuple(f.name for f in spec.fields)
        if names not in groups:
            groups[names] = BulkGroup([forms.form_field(f, words, definition, NO_CASE, db, county_prefix,
                                                        raw.get(f.name)) for f in spec.fields])
        groups[names].actions.append((name, words.label(spec.labels, name)))
    if not groups:
        return None
    return {"groups": list(groups.values()), "key": uuid.uuid4().hex}


def posted_cases(form: Any) -> tuple[list[int], dict[str, int]]:
    """The ticked case ids (each once, in the board's order) and the version the board showed of each."""
    ids: list[int] = []
    for value in form.getall("case", []):
        text = str(value).strip()
        if text.isdigit() and len(text) < 19 and int(text) not in ids:
            ids.append(int(text))
    versions = {}
    for case_id in ids:
        shown = str(form.get(f"version.{case_id}") or "")
        if shown.isdigit() and len(shown) < 10:
            versions[str(case_id)] = int(shown)
    return ids, versions


def posted_key(form: Any) -> str | None:
    """The form's key against a double submit (a resubmitted form replays what the first one did)."""
    key = str(form.get("bulk_key") or "")
    return f"web-bulk:{key}" if key.isascii() and key.isalnum() and 0 < len(key) <= MAX_KEY else None


def bulk_outcome(words: Words, action: str, outcomes: list[CaseOutcome]) -> dict[str, Any]:
    """What the board says after a bulk: a headline, each failed case's number and reason, unreachable ones counted."""
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if not failed:
        return {"ok": True, "headline": words.t("bulk_all_done", action=action, n=len(outcomes)), "failures": []}
    same = {(o.code, o.extra.get("field"), o.extra.get("reason")) for o in failed}
    if len(failed) == len(outcomes) and len(same) == 1 and failed[0].code == "invalid_data":
        return {"ok": False, "headline": words.t("bulk_same_error") + _reason(words, failed[0]), "failures": []}
    missing = sum(outcome.status == 404 for outcome in failed)
    failures = [(outcome.number, _reason(words, outcome)) for outcome in failed if outcome.status != 404]
    if missing:
        failures.append((None, words.t("bulk_not_found", n=missing)))
    headline = words.t("bulk_some_failed", action=action, ok=len(outcomes) - len(failed), failed=len(failed))
    return {"ok": False, "headline": headline, "failures": failures}


def _reason(words: Words, outcome: CaseOutcome) -> str:
    """Why one case was not changed, in the reader's words (never a code name)."""
    extra = outcome.extra
    if outcome.code == "stale":
        return words.t("bulk_stale")
    if outcome.code == "not_allowed":
        return words.t("not_allowed").rstrip("。.")
    if outcome.code == "forbidden":
        return words.t("forbidden").rstrip("。.")
    if outcome.code == "invalid_data" and extra.get("field"):
        top = str(extra["field"]).removeprefix("data.").split("[")[0].split(".")[0]
        return f"{words.field(top)}：{reason_text(words, str(extra.get('reason') or ''))}"
    reasons = extra.get("reasons") or {}
    if reasons.get(words.lang):  # a guard's refusal in both languages
        return reasons[words.lang]
    if outcome.status == 422 and extra.get("guard"):
        return words.t("guard_failed") + reason_text(words, str(outcome.detail or ""))
    return words.t("bulk_not_done")
