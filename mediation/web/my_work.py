"""The 我的工作 page at /work: the signed-in user's own queue (`mediation.cases.my_work`), a page at a
time, with a tab per kind and its count; and where each role lands after signing in (`landing`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.cases.my_work import COUNT_LIMIT, KINDS, WorkItem, work_page_and_counts
from mediation.directory.actors import CASE_FILING_ROLES, Actor
from mediation.services import services_of
from mediation.web.i18n import Words
from mediation.web.page import (
    current_definition,
    left_reach_notice,
    local_due_time,
    page_number,
    page_of,
    to_login,
)
from mediation.workflows.deadline_labels import DEADLINE_LABELS

PAGE_SIZE = 25
MAX_PAGES = 4_000  # as deep as the board goes
ADMIN_LANDING = "/admin/users"
# Where a role's work is listed, in the order a user holding several roles is sent to the first of.
ROLE_LANDINGS = (("court", "/inbox/court"), ("department", "/inbox/department"))
WORK_ROLES = frozenset({"grid_worker", "mediator", "police", "supervisor"})


def landing(actor: Actor) -> str:
    """Where the user's work is: their court or department inbox, my work, the admin's users; else the board."""
    for role, path in ROLE_LANDINGS:
        if role in actor.roles:
            return path
    if actor.roles & WORK_ROLES:
        return "/work"
    return ADMIN_LANDING if "admin" in actor.roles else "/"


def has_my_work(actor: Actor | None) -> bool:
    """Whether the nav offers 我的工作: every role but admin (an admin alone has no cases to work)."""
    return actor is not None and bool(actor.roles - {"admin"})


def may_file_cases(actor: Actor | None) -> bool:
    """Whether the user's roles may file a case (intake's own rule), so the nav offers 登记新案件."""
    return actor is not None and bool(actor.roles & CASE_FILING_ROLES)


def offer_helpers(engine: Any) -> None:
    """Give every template `landing`, `has_my_work` and `may_file_cases` (the nav's role-aware offers)."""
    engine.engine.globals.update(landing=landing, has_my_work=has_my_work, may_file_cases=may_file_cases)
    engine.engine.auto_reload = False


class MyWork(Controller):
    """/work."""

    include_in_schema = False

    @get("/work", sync_to_thread=True)
    def my_work(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        kind = request.query_params.get("kind")
        kind = kind if kind in KINDS else None
        number = page_number(request.query_params, MAX_PAGES)
        services = services_of(request)
        definition = current_definition(services)
        now = services.clock()
        with services.db.snapshot() as tx:
            found, counts = work_page_and_counts(tx=tx, definition=definition, actor=page.actor, now=now, kind=kind,
                                                 page=number, page_size=PAGE_SIZE)
        words = page.words
        tabs = [{"kind": name, "url": "/work" + (f"?{urlencode({'kind': name})}" if name else ""),
                 "text": words.t(f"work_kind_{name or 'all'}"), "count": _count_text(getattr(counts, name or "all")),
                 "current": name == kind} for name in (None, *KINDS)]
        keep = {"kind": kind} if kind else {}
        return page.render(
            "my_work.html", rows=[_row(item, words, definition) for item in found.items],
            total=min(found.total, COUNT_LIMIT), capped=found.total > COUNT_LIMIT,
            page=number, pages=max(1, min(-(-found.total // PAGE_SIZE), MAX_PAGES)), tabs=tabs, kind=kind,
            notice=left_reach_notice(page, definition),
            page_url=lambda n: "/work?" + urlencode({**keep, "page": n}))


def _count_text(count: int) -> str:
    """A tab's count; past the queue's counting limit "10,000+" (a county's supervisor at a million cases)."""
    return f"{COUNT_LIMIT:,}+" if count > COUNT_LIMIT else str(count)


def _row(item: WorkItem, words: Words, definition: Any) -> dict[str, Any]:
    """One row of the table with its words in the page's language."""
    deadline = item.deadline
    return {
        "id": item.id, "number": item.number, "title": item.title, "key_case": item.key_case,
        "state": words.label(definition.states.get(item.state), item.state_label),
        "unit": item.unit.name, "urgency": item.urgency, "urgency_text": words.t(f"work_urgency_{item.urgency}"),
        "reasons": [words.t(f"work_reason_{reason}") for reason in item.reasons],
        "deadline": words.label(DEADLINE_LABELS.get(deadline.kind), words.value(deadline.kind)) if deadline else "",
        "due": local_due_time(deadline.due_at) if deadline else "",
    }
