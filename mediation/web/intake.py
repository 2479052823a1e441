"""Filing a case from the web: the intake form and its answer, every problem named beside its field.

The case is opened by intake (`open_case`), as through the API; the form shows all the
problems of a refused case at once (`case_problems`), not only the first.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.response import Redirect

from mediation import control_characters
from mediation.cases.intake import PARTY_ROLES, CaseInput, PartyInput, case_problems, open_case
from mediation.directory.queries import unit_by_id, units_in_reach, units_of_kind
from mediation.errors import Forbidden, InvalidData
from mediation.services import services_of
from mediation.web.my_work import landing, may_file_cases
from mediation.web.page import Page, current_definition, page_of, reason_text, to_login
from mediation.web.session import CSRF_FIELD, csrf_ok
from mediation.workflows.particulars import ETHNICITIES, GENDERS

PARTY_ROWS = 2  # rows of a fresh form; its script adds more (static web/rows.js)
MAX_PARTY_ROWS = 100  # rows read from a posted form; intake's own limit (parties_per_case) names the excess
CASE_FIELDS = ("title", "description", "channel", "category", "risk_level", "unit", "referred_by")
PARTY_FIELDS = ("name", "role", "id_number", "phone", "is_minor", "gender", "ethnicity", "birth_date", "occupation",
                "address", "language", "needs_interpreter", "organisation_name", "legal_representative")
PARTY_ROW = re.compile(r"parties\[(\d{1,2})\]\.")
TYPED = ("name", "id_number", "phone", "occupation", "address", "organisation_name")  # a row with these is a party


class Intake(Controller):
    """/cases/new."""

    include_in_schema = False

    @get("/cases/new", sync_to_thread=True)
    def intake_form(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        if not may_file_cases(page.actor):
            return _not_allowed(page)
        return _render_intake(page, values={"unit": None, "risk_level": "low"}, errors={})

    @post("/cases/new")
    async def intake(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        if not may_file_cases(page.actor):
            return _not_allowed(page)
        form = await request.form()
        values: dict[str, Any] = {name: str(form.get(name) or "") for name in CASE_FIELDS}
        values["parties"] = _party_rows(form)
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return await sync_to_thread(_render_intake, page, values, {}, page.words.t("csrf_failed"), 403)
        return await sync_to_thread(_file_case, page, values)


def _not_allowed(page: Page) -> Response:
    """403 in the reader's words for a user whose roles may not file a case, before any form is filled."""
    return page.render("message.html", status=403, heading=page.words.t("intake_not_allowed"),
                       text=page.words.t("intake_not_allowed_text"), back=landing(page.actor),
                       back_text=page.words.t("my_work"))


def _party_rows(form: Any) -> list[dict[str, str]]:
    """The posted party rows in the order of their numbers (any numbers: the script removes and adds rows)."""
    numbers = sorted({int(found.group(1)) for key in form.keys() if (found := PARTY_ROW.match(key))})
    return [{key: _text(form.get(f"parties[{i}].{key}")).strip() for key in PARTY_FIELDS}
            for i in numbers[:MAX_PARTY_ROWS]]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _render_intake(page: Page, values: dict[str, Any], errors: dict[str, str], alert: str | None = None,
                   status: int = 200) -> Response:
    """The intake form; `errors` maps a form field's name to its message, in the form's order."""
    services = services_of(page.request)
    definition = current_definition(services)
    with services.db.snapshot() as tx:
        units = units_in_reach(tx, page.actor.unit_path)
        all_units = units_of_kind(tx, None)  # a referral_in case names the unit that referred it (DESIGN §9.5)
        if not values.get("unit"):
            own = unit_by_id(tx, page.actor.unit_id) if page.actor.unit_id is not None else None
            values["unit"] = own.code if own else None
    parties = values.get("parties") or []
    parties = parties + [{} for _ in range(PARTY_ROWS - len(parties))]
    colon = "：" if page.lang == "zh" else ": "
    summary = [(_intake_input_id(name), f"{_intake_label(page, name)}{colon}{text}") for name, text in errors.items()]
    own = {code for code, _ in units}
    return page.render("intake.html", status=status, values=values, errors=errors, alert=alert, units=units,
                       other_units=[(code, name) for code, name in all_units if code not in own], all_units=all_units,
                       parties=parties, party_roles=PARTY_ROLES, definition=definition, summary=summary,
                       genders=GENDERS, ethnicities=ETHNICITIES)


def _file_case(page: Page, values: dict[str, Any]) -> Response:
    """Open the case and show it; the form again, with every problem, when intake refuses it."""
    services = services_of(page.request)
    unreadable = _unreadable_fields(values)
    if unreadable:  # a NUL, or a control character in a code or a name: refused before the database
        errors = {name: reason_text(page.words, reason) for name, reason in unreadable.items()}
        return _render_intake(page, _without_refused(values), errors, page.words.t("fix_errors"), 422)
    index_of = [i for i, p in enumerate(values["parties"]) if any(p.get(k) for k in TYPED)]
    case = _case_input(values, [values["parties"][i] for i in index_of])
    try:
        case_id = open_case(services.db, actor=page.actor, case=case, now=services.clock())
    except InvalidData as error:
        # open_case names the first problem (the API's answer); the form shows every one at once.
        # When the fields are right, the problem is the unit's (unknown, or out of reach): that needs the database.
        definition = current_definition(services)
        errors: dict[str, str] = {}
        for problem in case_problems(case, definition.policy, definition.risk_levels) or [error]:
            name = _intake_field(problem.field, index_of)
            errors.setdefault(name, _intake_reason(page, values, name, problem.reason))
        return _render_intake(page, values, errors, page.words.t("fix_errors"), 422)
    except Forbidden:
        return _render_intake(page, values, {}, page.words.t("forbidden"), 403)
    return Redirect(path=f"/cases/{case_id}?done=filed", status_code=303)


def _unreadable_fields(values: dict[str, Any]) -> dict[str, str]:
    """The form's fields holding what `control_characters` refuses, each with the reason."""
    found = {name: control_characters.refusal(values[name], one_line=name != "description") for name in CASE_FIELDS}
    for index, party in enumerate(values["parties"]):
        found.update({f"parties[{index}].{key}": control_characters.refusal(text, one_line=True)
                      for key, text in party.items()})
    return {name: reason for name, reason in found.items() if reason}


def _without_refused(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as shown again: the refused characters left out (a description keeps its lines)."""
    def shown(name: str, text: str) -> str:
        return control_characters.without_refused(text, one_line=name != "description")

    return {**{name: shown(name, values[name]) for name in CASE_FIELDS},
            "parties": [{key: shown(key, text) for key, text in party.items()} for party in values["parties"]]}


def _case_input(values: dict[str, Any], parties: list[dict[str, str]]) -> CaseInput:
    """The form's values as intake takes them (the party rows given, empty ones left out)."""
    return CaseInput(
        title=values["title"], description=values["description"], channel=values["channel"],
        unit=values["unit"], category=values["category"] or None, risk_level=values["risk_level"] or "low",
        referred_by=values.get("referred_by") or None, parties=[_party_input(p) for p in parties],
    )


def _party_input(row: dict[str, str]) -> PartyInput:
    """One party row as intake takes it: empty fields left out, a company's name and representative together."""
    organisation = ({"name": row["organisation_name"], "legal_representative": row["legal_representative"] or None}
                    if row["organisation_name"] or row["legal_representative"] else None)
    particulars = {key: row[key] or None for key in ("gender", "ethnicity", "birth_date", "occupation", "address",
                                                     "language")}
    return PartyInput(row["name"], row["role"] or "applicant", row["id_number"] or None, row["phone"] or None,
                      bool(row["is_minor"]), needs_interpreter=bool(row["needs_interpreter"]),
                      organisation=organisation, **particulars)


def _intake_field(name: str, index_of: list[int]) -> str:
    """The form's name of an intake field: the engine counts the party rows it got, the form all its rows;
    a company's name and representative are one object to intake, two inputs on the form."""
    if name.startswith("parties["):
        number, _, rest = name[len("parties["):].partition("].")
        rest = {"organisation.name": "organisation_name", "organisation": "organisation_name",
                "organisation.legal_representative": "legal_representative"}.get(rest, rest)
        if number.isdigit() and int(number) < len(index_of):
            return f"parties[{index_of[int(number)]}].{rest}"
    return name


def _intake_reason(page: Page, values: dict[str, Any], name: str, reason: str) -> str:
    """The message of a problem; a choice left at "—" is simply required."""
    if reason.startswith("must be one of") and name in values and not values[name]:
        return page.words.t("required")
    return reason_text(page.words, reason)


def _intake_input_id(name: str) -> str:
    """The id of the form control of a field (the first row's name for the party list)."""
    if name == "parties":
        return "party-0-name"
    if name.startswith("parties["):
        number, _, key = name[len("parties["):].partition("].")
        return f"party-{number}-{'minor' if key == 'is_minor' else key}"
    return name


def _intake_label(page: Page, name: str) -> str:
    """The label of a field as the error summary names it ("当事人 2 姓名")."""
    words = page.words
    if name.startswith("parties["):
        number, _, key = name[len("parties["):].partition("].")
        key_label = {"name": words.t("party_name"), "role": words.t("party_role"), "id_number": words.t("id_number"),
                     "phone": words.t("phone")}.get(key) or words.field(key.replace(".", "_"))
        return f"{words.t('party_n', n=int(number) + 1)} {key_label}" if number.isdigit() else name
    return words.t(name)
