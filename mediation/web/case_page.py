"""The case page: the case as its reader may see it, with a form for each trigger they may fire.

A posted form is read with the definition of the workflow version the case runs on and handed
to the engine's one door (`apply_transition`); a refusal shows the form again with the engine's
reason beside the field it names. Reach, permissions and masking are the API's.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect

from mediation.cases.case_detail import case_detail, case_with_events
from mediation.cases.engine import apply_transition
from mediation.cases.personal_data_views import log_if_unmasked
from mediation.cases.read_models import CaseDetail
from mediation.db import parse_timestamp
from mediation.errors import (
    Forbidden,
    GuardFailed,
    InvalidData,
    MediationError,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)
from mediation.services import services_of
from mediation.web import forms
from mediation.web.case_attachment_list import attachment_section
from mediation.web.case_documents import document_links
from mediation.web.case_file import case_file
from mediation.web.case_proceedings import proceedings
from mediation.web.case_shares import offer_share_units, share_section
from mediation.web.case_timeline import timeline
from mediation.web.i18n import Words
from mediation.web.inboxes import work_list
from mediation.web.page import (
    Page,
    case_definition,
    due_status,
    local_due_time,
    page_of,
    reason_text,
    to_login,
)
from mediation.web.session import CSRF_FIELD, csrf_ok
from mediation.workflows.definition import TriggerSpec, WorkflowDefinition, stage_of
from mediation.workflows.graph import mermaid, next_steps


class CasePages(Controller):
    """/cases/{id} and the trigger forms it posts to /cases/{id}/fire."""

    include_in_schema = False

    @get("/cases/{case_id:int}", sync_to_thread=True)
    def case_page(self, request: Request, case_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        return render_case(page, case_id, notice=request.query_params.get("done"))

    @post("/cases/{case_id:int}/fire")
    async def fire(self, request: Request, case_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return await sync_to_thread(render_case, page, case_id, status=403, alert=page.words.t("csrf_failed"))
        return await sync_to_thread(_fire, page, case_id, form)


def render_case(page: Page, case_id: int, *, status: int = 200, notice: str | None = None,
                alert: str | None = None, stale: bool = False, failed: forms.TriggerForm | None = None,
                upload_error: str | None = None) -> Response:
    """The case page; `failed` is a refused trigger's form, shown open in place of a fresh one,
    `upload_error` the refusal of a file the upload form sent."""
    services = services_of(page.request)
    try:
        detail, events = case_with_events(services.db, page.actor, case_id)
        log_if_unmasked(services.db, actor=page.actor, case_id=case_id, via="web_case", now=services.clock())
    except NotFound:
        return page.render("not_found.html", status=404)
    definition = case_definition(services, case_id)
    trigger_forms = [failed if failed is not None and failed.trigger == name
                     else _trigger_form(page, definition.triggers[name], definition, detail)
                     for name in detail.available_triggers if not definition.triggers[name].via]
    now = services.clock()
    forms.mark_blocked(trigger_forms, page.words, services.db, case_id, now)
    shares = share_section(services.db, case_id)
    offer_share_units(page, services.db, detail, shares, trigger_forms)
    deadlines = [{"deadline": deadline, "due": local_due_time(deadline.due_at),
                  "status": due_status(parse_timestamp(deadline.due_at), now)} for deadline in detail.deadlines]
    casefile = case_file(events, detail, definition, page.words)
    steps = proceedings(services.db, events, detail, definition, page.words)
    casefile.record_of.update(steps.anchors())
    for item in [*casefile.records, *casefile.corrections, *([casefile.agreement] if casefile.agreement else [])]:
        item.actor = steps.actor_names.get(item.actor, item.actor)  # people by name, not by username
    state_labels, trigger_labels = services.db.workflows.labels_over_versions(definition)
    party_names = {p.id: p.name for p in detail.parties}
    return page.render(
        "case.html", status=status, here=f"/cases/{case_id}", case=detail, forms=trigger_forms,
        timeline=timeline(events, words=page.words, state_labels=state_labels, trigger_labels=trigger_labels,
                          party_names=party_names, steps=steps, casefile=casefile),
        deadlines=deadlines, documents=document_links(page, case_id, detail.chain_head),
        definition=definition, stages=_stages(definition, page.words), notice=_notice_text(page.words, definition, notice), alert=alert,
        stale=stale, mermaid_source=mermaid(definition, stage=detail.stage, lang=page.lang, highlight=detail.state,
                                            codes=False),
        next_steps=next_steps(definition, detail.state, page.lang),
        **_policy_labels(page.words, definition, detail),
        casefile=casefile, steps=steps,
        attachments=attachment_section(page, detail, definition, upload_error), shares=shares,
    )


def _stages(definition: WorkflowDefinition, words: Words) -> list[tuple[str, list[tuple[str, str]]]]:
    """The workflow's stages in order, each with its states, by label in the reader's language: (stage label,
    [(state, state label)]). Told once per definition and language (the list is shared: read it only)."""
    def stages() -> list[tuple[str, list[tuple[str, str]]]]:
        by_stage: dict[str, list[tuple[str, str]]] = {}
        for state in definition.states:
            by_stage.setdefault(stage_of(state), []).append((state, words.label(definition.states[state], state)))
        return [(words.label(definition.stage_labels.get(stage), stage), states) for stage, states in by_stage.items()]
    return definition.told("page_stages", words.lang, stages)


def _notice_text(words: Words, definition: WorkflowDefinition, notice: str | None) -> str | None:
    """What the page says after a change: the trigger just fired, or that the case was filed."""
    if notice and notice in definition.triggers:
        return words.t("done") + words.label(definition.triggers[notice].labels, notice)
    return words.t("filed") if notice == "filed" else None


def _policy_labels(words: Words, definition: WorkflowDefinition, detail: CaseDetail) -> dict[str, str]:
    """Labels of the case's channel, ladder level and category from its workflow's policy."""
    policy = definition.policy
    return {
        "channel_label": words.label(policy["channels"].get(detail.channel), detail.channel),
        "ladder_label": next((words.label(step.get("labels"), step["level"]) for step in policy["escalation_ladder"]
                              if step["level"] == detail.ladder_level), detail.ladder_level),
        "category_label": words.label(policy["categories"].get(detail.category), detail.category or ""),
    }


def _trigger_form(page: Page, spec: TriggerSpec, definition: WorkflowDefinition,
                  detail: CaseDetail, raw: dict[str, Any] | None = None) -> forms.TriggerForm:
    """A trigger's form (holding `raw`, what was posted); its user choices come from the user's county."""
    county_prefix = "/" + page.actor.unit_path.strip("/").split("/")[0] + "/"
    return forms.trigger_form(spec, page.words, definition, detail, services_of(page.request).db, county_prefix,
                              raw)


def _fire(page: Page, case_id: int, form: Any) -> Response:
    """Fire the posted trigger; back to the case, or to the user's work list when it left their reach."""
    services = services_of(page.request)
    trigger = str(form.get("trigger") or "")
    definition = case_definition(services, case_id)
    if definition is None:
        return page.render("not_found.html", status=404)
    spec = definition.triggers.get(trigger)
    if spec is None:
        return render_case(page, case_id, status=409, alert=page.words.t("not_allowed"))
    if spec.via:  # a file comes through the upload form, which sets its name, type, size and SHA-256
        return render_case(page, case_id, status=422, alert=page.words.t("attach_by_upload"))
    try:
        data, raw = forms.form_values(spec, form)
    except forms.UnreadableField as error:  # a NUL, or a control character in a code: refused before the engine
        return _refused(page, case_id, spec, definition, error.raw, error)
    try:
        result = apply_transition(services.db, case_id=case_id, trigger=trigger, actor=page.actor, data=data,
                                  expected_version=_expected_version(form), now=services.clock())
    except NotFound:
        return page.render("not_found.html", status=404)
    except StaleCase:
        return render_case(page, case_id, status=409, stale=True)
    except MediationError as error:
        return _refused(page, case_id, spec, definition, raw, error)
    if not result.in_reach:  # the case page would be 404 now
        return Redirect(path=f"{work_list(page.actor)}?done={trigger}", status_code=303)
    return Redirect(path=f"/cases/{case_id}?done={trigger}", status_code=303)


def _expected_version(form: Any) -> int:
    """The version the form was shown at; -1 (stale) when it is not a number."""
    try:
        return int(str(form.get("expected_version") or ""))
    except ValueError:
        return -1


def _refused(page: Page, case_id: int, spec: TriggerSpec, definition: WorkflowDefinition,
             raw: dict[str, Any], error: MediationError) -> Response:
    """The case page with the refused form open again, holding what was entered and the engine's reason."""
    try:
        detail = case_detail(services_of(page.request).db, page.actor, case_id)
    except NotFound:
        return page.render("not_found.html", status=404)
    failed = _trigger_form(page, spec, definition, detail, raw)
    failed.open = True
    _mark_refusal(page.words, error, failed)
    return render_case(page, case_id, status=error.status_code, failed=failed)


def _mark_refusal(words: Words, error: MediationError, failed: forms.TriggerForm) -> None:
    """The form's message for the refusal; an invalid field also gets its reason beside it."""
    if isinstance(error, InvalidData):
        path = error.field.removeprefix("data.")
        top = path.split("[")[0].split(".")[0]
        target = next((found for f in failed.fields if (found := f.find(path)) is not None), None) or next(
            (f for f in failed.fields if f.name == top), None)
        if target is not None:
            target.error = reason_text(words, error.reason)
            failed.error = words.t("fix_errors")
        else:  # a field the form does not show: named by its label, never by its code
            failed.error = f"{words.field(top)}：{reason_text(words, error.reason)}"
    elif isinstance(error, GuardFailed):
        reasons = error.extra.get("reasons") or {}  # a refusal in both languages (the case file's guards)
        failed.error = words.t("guard_failed") + (reasons.get(words.lang) or reason_text(words, error.reason))
    elif isinstance(error, TransitionNotAllowed):
        failed.error = words.t("not_allowed")
    elif isinstance(error, Forbidden):
        failed.error = words.t("forbidden")
    else:
        failed.error = error.detail
