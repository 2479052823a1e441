"""The web workspace's pages: login, case board, case page with trigger forms, intake.

Every read and every change goes through the same code as the API (case_views, the
engine, intake), so reach, permissions and masking are the API's. Pages are plain
server-rendered HTML; forms work without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect

from mediation.cases.engine import apply_transition
from mediation.cases.intake import PARTY_ROLES, CaseInput, PartyInput, case_problems, open_case
from mediation.cases.views import CaseFilters, case_detail, case_events, list_cases
from mediation.db import parse_timestamp
from mediation.directory.actors import Actor
from mediation.directory.identity import BadCredentials, TooManyAttempts, check_password
from mediation.errors import (
    Forbidden,
    GuardFailed,
    InvalidData,
    MediationError,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)
from mediation.services import Services, services_of
from mediation.web import forms
from mediation.web.case_documents import document_links
from mediation.web.i18n import Words
from mediation.web.page import (
    Page,
    current_definition,
    due_status,
    local_time,
    page_number,
    page_of,
    reason_text,
    safe_next,
    to_login,
    units_in_reach,
)
from mediation.web.session import (
    CSRF_FIELD,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    csrf_ok,
    expired,
    new_prelogin,
    session_cookie,
    sign_out,
)
from mediation.workflows.definition import WorkflowDefinition, stage_of
from mediation.workflows.graph import mermaid

PAGE_SIZE = 25
BOARD_COUNT_LIMIT = 10_000  # the board counts this many matches at most ("10,000+"); the API counts all
BOARD_PAGES = -(-BOARD_COUNT_LIMIT // PAGE_SIZE)  # pages the board links to: no deeper OFFSET than the count
PARTY_ROWS = 4

# --------------------------------------------------------------------------- board data


def _board_data(services: Services, actor: Actor, filters: CaseFilters, words: Words,
                definition: WorkflowDefinition) -> dict[str, Any]:
    """The board's rows with their labels already in the page's language (the template only places them)."""
    now = services.clock()
    result = list_cases(services.db, actor, filters, now, count_limit=BOARD_COUNT_LIMIT)
    ids = [item.id for item in result.items]
    next_due: dict[int, Any] = {}
    params: dict[str, Any] = {}
    with services.db.snapshot() as tx:
        if ids:
            marks = ", ".join(f":id{i}" for i in range(len(ids)))
            params.update({f"id{i}": case_id for i, case_id in enumerate(ids)})
            for case_id, due in tx.all(
                f"SELECT case_id, min(due_at) FROM deadlines WHERE status = 'pending' AND case_id IN ({marks}) "
                "GROUP BY case_id", params):
                next_due[case_id] = parse_timestamp(due)
        units = units_in_reach(tx, actor.unit_path)
    rows = []
    for item in result.items:
        due = next_due.get(item.id)
        status = due_status(due, now)
        rows.append({"case": item, "state": words.label(definition.states.get(item.state), item.state),
                     "risk": words.value(item.risk_level), "updated": local_time(item.updated_at),
                     "due": local_time(due), "due_status": status,
                     "due_text": words.t(status) if status else ""})
    capped = result.total > BOARD_COUNT_LIMIT
    total = min(result.total, BOARD_COUNT_LIMIT)
    pages = max(1, min(-(-total // filters.page_size), BOARD_PAGES))
    return {"rows": rows, "total": total, "capped": capped, "page": filters.page, "pages": pages, "units": units}


def _filter_options(words: Words, definition: WorkflowDefinition) -> dict[str, list[tuple[str, str]]]:
    """Code and label of each choice of the board's filters, in the definition's order."""
    stages, policy = definition.stage_labels, definition.policy
    return {
        "stage": [(code, words.label(labels, code)) for code, labels in stages.items()],
        "state": [(code, f"{words.label(stages[code.split('.')[0]], '')} · {words.label(labels, code)}")
                  for code, labels in definition.states.items()],
        "channel": [(code, words.label(labels, code)) for code, labels in policy["channels"].items()],
        "category": [(code, words.label(labels, code)) for code, labels in policy["categories"].items()],
        "risk_level": [(code, words.value(code)) for code in definition.risk_levels],
    }


# --------------------------------------------------------------------------- the controller


class WebPages(Controller):
    """Server-rendered pages at /, /login, /cases/…"""

    include_in_schema = False

    # ------------------------------------------------------------------ login

    @get("/login", sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        page = page_of(request)
        token, prelogin = new_prelogin(request)
        return page.render("login.html", cookies=[prelogin], login_csrf=token,
                           next=safe_next(request.query_params.get("next")), error=None, username="")

    @post("/login")
    async def login(self, request: Request) -> Response:
        page = page_of(request)
        form = await request.form()
        username = str(form.get("username") or "")[:64]
        target = safe_next(str(form.get("next") or ""))
        error = None
        if not csrf_ok(request, form.get(CSRF_FIELD), before_login=True):
            error, status = "csrf_failed", 403
        else:
            services = services_of(request)
            address = request.client.host if request.client else "unknown"
            try:
                user_id = await sync_to_thread(check_password, services.db, username=username,
                                               password=str(form.get("password") or ""), address=address,
                                               now=services.clock())
            except TooManyAttempts:
                error, status = "too_many", 429
            except BadCredentials:
                error, status = "bad_login", 401
        if error:
            token, prelogin = new_prelogin(request)
            return page.render("login.html", status=status, cookies=[prelogin], login_csrf=token, next=target,
                               error=page.words.t(error), username=username)
        return Redirect(path=target, status_code=303,
                        cookies=[session_cookie(request, user_id, username), expired(request, PRELOGIN_COOKIE)])

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return Redirect(path="/", status_code=303)
        await sync_to_thread(sign_out, request)
        return Redirect(path="/login", status_code=303, cookies=[expired(request, SESSION_COOKIE)])

    # ------------------------------------------------------------------ board

    @get("/", sync_to_thread=True)
    def board(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        query = request.query_params
        chosen = {name: (query.get(name) or "").strip()[:100] or None
                  for name in ("state", "stage", "channel", "category", "risk_level", "unit", "q")}
        number = page_number(query, BOARD_PAGES)
        overdue = True if query.get("overdue") == "1" else None
        filters = CaseFilters(chosen["state"], chosen["stage"], chosen["unit"], chosen["channel"],
                              chosen["category"], chosen["risk_level"], overdue, chosen["q"], number, PAGE_SIZE)
        services = services_of(request)
        definition = current_definition(services)
        error = None
        words = page.words
        try:
            data = _board_data(services, page.actor, filters, words, definition)
        except InvalidData as invalid:
            error = f"{words.t(invalid.field)}: {reason_text(words, invalid.reason)}"
            data = _board_data(services, page.actor, CaseFilters(page_size=PAGE_SIZE), words, definition)
        keep = {k: v for k, v in {**chosen, "overdue": "1" if overdue else None}.items() if v}
        partial = request.headers.get("hx-request") == "true" and not request.headers.get("hx-history-restore-request")
        return page.render(
            "_board_results.html" if partial else "board.html", **data, chosen=chosen, overdue=bool(overdue), error=error,
            options={} if partial else _filter_options(words, definition),
            page_url=lambda n: "/?" + urlencode({**keep, "page": n}),
        )

    # ------------------------------------------------------------------ case page

    @get("/cases/{case_id:int}", sync_to_thread=True)
    def case_page(self, request: Request, case_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        done = request.query_params.get("done")
        return _render_case(page, case_id, notice=done)

    @post("/cases/{case_id:int}/fire")
    async def fire(self, request: Request, case_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return await sync_to_thread(_render_case, page, case_id, status=403, alert=page.words.t("csrf_failed"))
        return await sync_to_thread(_fire, page, case_id, form)

    # ------------------------------------------------------------------ intake

    @get("/cases/new", sync_to_thread=True)
    def intake_form(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        return _render_intake(page, values={"unit": None, "risk_level": "low"}, errors={})

    @post("/cases/new")
    async def intake(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        form = await request.form()
        values = {name: str(form.get(name) or "") for name in
                  ("title", "description", "channel", "category", "risk_level", "unit")}
        parties = [{key: str(form.get(f"parties[{i}].{key}") or "").strip()
                    for key in ("name", "role", "id_number", "phone", "is_minor")} for i in range(PARTY_ROWS)]
        values["parties"] = parties
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return await sync_to_thread(_render_intake, page, values, {}, page.words.t("csrf_failed"), 403)
        return await sync_to_thread(_file_case, page, values)


# --------------------------------------------------------------------------- case page work


def _render_case(page: Page, case_id: int, *, status: int = 200, notice: str | None = None,
                 alert: str | None = None, stale: bool = False, failed: forms.TriggerForm | None = None) -> Response:
    services = services_of(page.request)
    words = page.words
    try:
        detail = case_detail(services.db, page.actor, case_id)
        events = case_events(services.db, page.actor, case_id)
    except NotFound:
        return page.render("not_found.html", status=404)
    workflows = services.db.workflows
    with services.db.snapshot() as tx:
        version_id = tx.one("SELECT workflow_version_id FROM cases WHERE id = :id", {"id": case_id})[0]
    definition = workflows.machine(version_id).definition
    county_prefix = "/" + page.actor.unit_path.strip("/").split("/")[0] + "/"
    trigger_forms = []
    for name in detail.available_triggers:
        if failed is not None and failed.trigger == name:
            trigger_forms.append(failed)
        else:
            trigger_forms.append(forms.trigger_form(definition.triggers[name], words, definition, detail,
                                                    services.db, county_prefix))
    now = services.clock()
    deadlines = []
    for deadline in detail.deadlines:
        deadlines.append({"deadline": deadline, "due": local_time(deadline.due_at),
                          "status": due_status(parse_timestamp(deadline.due_at), now)})
    stages: dict[str, list[str]] = {}
    for state in definition.states:
        stages.setdefault(stage_of(state), []).append(state)
    notice_text = None
    if notice and notice in definition.triggers:
        notice_text = words.t("done") + words.label(definition.triggers[notice].labels, notice)
    elif notice == "filed":
        notice_text = words.t("filed")
    return page.render(
        "case.html", status=status, here=f"/cases/{case_id}", case=detail, events=events, forms=trigger_forms,
        deadlines=deadlines, documents=document_links(page, case_id),
        definition=definition, stages=stages, notice=notice_text, alert=alert, stale=stale,
        mermaid_source=mermaid(definition, stage=detail.stage, lang=page.lang, highlight=detail.state),
        channel_label=words.label(definition.policy["channels"].get(detail.channel), detail.channel),
        ladder_label=next((words.label(step.get("labels"), step["level"]) for step in definition.policy["escalation_ladder"]
                           if step["level"] == detail.ladder_level), detail.ladder_level),
        party_names={p.id: p.name for p in detail.parties},
        category_label=words.label(definition.policy["categories"].get(detail.category), detail.category or ""),
    )


def _fire(page: Page, case_id: int, form: Any) -> Response:
    services = services_of(page.request)
    words = page.words
    trigger = str(form.get("trigger") or "")
    try:
        expected = int(str(form.get("expected_version") or ""))
    except ValueError:
        expected = -1
    definition = current_definition(services)
    spec = definition.triggers.get(trigger)
    if spec is None:
        return _render_case(page, case_id, status=409, alert=words.t("not_allowed"))
    data, raw = forms.form_values(spec, form)
    try:
        apply_transition(services.db, case_id=case_id, trigger=trigger, actor=page.actor, data=data,
                         expected_version=expected, now=services.clock())
    except NotFound:
        return page.render("not_found.html", status=404)
    except StaleCase:
        return _render_case(page, case_id, status=409, stale=True)
    except MediationError as error:
        try:
            detail = case_detail(services.db, page.actor, case_id)
        except NotFound:
            return page.render("not_found.html", status=404)
        county_prefix = "/" + page.actor.unit_path.strip("/").split("/")[0] + "/"
        failed = forms.trigger_form(spec, words, definition, detail, services.db, county_prefix)
        failed.open = True
        for f in failed.fields:
            f.value = raw.get(f.name)
        status = error.status_code
        if isinstance(error, InvalidData):
            field_name = error.field.removeprefix("data.").split("[")[0]
            target = next((f for f in failed.fields if f.name == field_name), None)
            if target is not None:
                target.error = reason_text(words, error.reason)
                failed.error = words.t("fix_errors")
            else:
                failed.error = f"{error.field}: {reason_text(words, error.reason)}"
        elif isinstance(error, GuardFailed):
            failed.error = words.t("guard_failed") + error.reason
        elif isinstance(error, TransitionNotAllowed):
            failed.error = words.t("not_allowed")
        elif isinstance(error, Forbidden):
            failed.error = words.t("forbidden")
        else:
            failed.error = error.detail
        return _render_case(page, case_id, status=status, failed=failed)
    return Redirect(path=f"/cases/{case_id}?done={trigger}", status_code=303)


# --------------------------------------------------------------------------- intake work


def _render_intake(page: Page, values: dict[str, Any], errors: dict[str, str], alert: str | None = None,
                   status: int = 200) -> Response:
    """The intake form; `errors` maps a form field's name to its message, in the form's order."""
    services = services_of(page.request)
    definition = current_definition(services)
    with services.db.snapshot() as tx:
        units = units_in_reach(tx, page.actor.unit_path)
        if not values.get("unit"):
            own = tx.one("SELECT code FROM units WHERE id = :id", {"id": page.actor.unit_id})
            values["unit"] = own[0] if own else None
    parties = values.get("parties") or [{} for _ in range(PARTY_ROWS)]
    colon = "：" if page.lang == "zh" else ": "
    summary = [(_intake_input_id(name), f"{_intake_label(page, name)}{colon}{text}") for name, text in errors.items()]
    return page.render("intake.html", status=status, values=values, errors=errors, alert=alert, units=units,
                       parties=parties, party_roles=PARTY_ROLES, definition=definition, summary=summary)


def _file_case(page: Page, values: dict[str, Any]) -> Response:
    services = services_of(page.request)
    index_of = [i for i, p in enumerate(values["parties"]) if any(p.get(k) for k in ("name", "id_number", "phone"))]
    rows = [values["parties"][i] for i in index_of]
    case = CaseInput(
        title=values["title"], description=values["description"], channel=values["channel"],
        unit=values["unit"], category=values["category"] or None, risk_level=values["risk_level"] or "low",
        parties=[PartyInput(p["name"], p["role"] or "applicant", p["id_number"] or None, p["phone"] or None,
                            bool(p["is_minor"])) for p in rows],
    )
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


def _intake_field(name: str, index_of: list[int]) -> str:
    """The form's name of an intake field: the engine counts the party rows it got, the form all its rows."""
    if name.startswith("parties["):
        number, _, rest = name[len("parties["):].partition("].")
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
    words = page.words
    if name.startswith("parties["):
        number, _, key = name[len("parties["):].partition("].")
        key_label = {"name": "party_name", "role": "party_role"}.get(key, key)
        return f"{words.t('party_n', n=int(number) + 1)} {words.t(key_label)}" if number.isdigit() else name
    return words.t(name)
