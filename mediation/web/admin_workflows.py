"""/admin/workflows: the stored versions of the workflow, and what changed between two chosen versions,
for administrators and supervisors, told by labels alone."""

from __future__ import annotations

from itertools import groupby

from litestar import Controller, Request, Response, get

from mediation.cases.workflow_history import version_diff, version_rows
from mediation.errors import NotFound
from mediation.services import services_of
from mediation.web.i18n import VALUE_LABELS
from mediation.web.page import Page, page_of, to_login
from mediation.workflows.diff_text import render
from mediation.workflows.loader import current_definition

READERS = ("admin", "supervisor")


def _reader_page(request: Request) -> tuple[Page | None, Response | None]:
    """The page for an administrator or a supervisor; otherwise the answer to give instead."""
    page = page_of(request)
    if page.actor is None:
        return None, to_login(request)
    if not set(READERS) & set(page.actor.roles):
        return None, page.render("message.html", status=403, heading=page.words.t("wf_versions"),
                                 text=page.words.t("wf_only"))
    return page, None


def _refused(page: Page, status: int, text: str) -> Response:
    return page.render("message.html", status=status, heading=page.words.t("wf_versions"), text=text,
                       back="/admin/workflows", back_text=page.words.t("wf_back"))


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 10 else None


class WorkflowVersionPages(Controller):
    include_in_schema = False

    @get("/admin/workflows", sync_to_thread=True)
    def versions(self, request: Request) -> Response:
        page, refused = _reader_page(request)
        if refused is not None:
            return refused
        name = (request.query_params.get("name") or current_definition().name)[:64]
        try:
            rows = version_rows(services_of(request).db, name)
        except NotFound:
            return _refused(page, 404, page.words.t("wf_unknown_workflow"))
        chosen = (rows[-2].version if len(rows) > 1 else rows[0].version, rows[-1].version)
        return page.render("admin_workflows.html", workflow=name, default_name=current_definition().name, rows=rows,
                           chosen=chosen, is_admin="admin" in page.actor.roles)

    @get("/admin/workflows/diff", sync_to_thread=True)
    def diff(self, request: Request) -> Response:
        page, refused = _reader_page(request)
        if refused is not None:
            return refused
        query = request.query_params
        name = (query.get("name") or current_definition().name)[:64]
        before, after = _number(query.get("from")), _number(query.get("to"))
        missing = [page.words.t(key) for key, number in (("wf_from", before), ("wf_to", after)) if number is None]
        if missing:
            return _refused(page, 400, page.words.t("wf_bad_version", field="、".join(missing)))
        database = services_of(request).db
        try:
            rows = version_rows(database, name)
            old, new, changes = version_diff(database, name, before, after)
        except NotFound:
            return _refused(page, 404, page.words.t("wf_unknown_version"))
        lines = render(changes, page.lang, old=old, new=new, codes=False, value_labels=VALUE_LABELS)
        sections = [(section, [line for _, line in group])
                    for section, group in groupby(zip((change.section for change in changes), lines),
                                                  key=lambda pair: pair[0])]
        return page.render("admin_workflow_diff.html", workflow=name, default_name=current_definition().name, rows=rows,
                           chosen=(before, after),
                           sections=sections, total=len(changes), is_admin="admin" in page.actor.roles)
