"""A case's documents on the web: the links of the case page and the PDFs behind them.

The PDFs are the API's (`prepare_document`, `document_bytes`): the same masking for the
viewer, the same ETag and file name; only the sign-in is the session cookie instead of a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from mediation.cases.personal_data_views import log_if_unmasked
from mediation.documents import (
    KINDS,
    PDF,
    RETRY_AFTER_SECONDS,
    DocumentNotApplicable,
    DocumentRequest,
    DocumentTooLarge,
    RendererBusy,
    disposition,
    document_bytes,
    document_refusals,
    prepare_document,
    shared_cache,
    shared_pool,
)
from mediation.errors import NotFound
from mediation.services import services_of
from mediation.web.page import Page, page_of, to_login


@dataclass(frozen=True)
class DocumentLink:
    """One kind of document on the case page: its address when it can be had, else why not (a word key)."""

    kind: str
    url: str | None
    unavailable: str | None = None


def document_links(page: Page, case_id: int, chain_head: str | None = None) -> list[DocumentLink]:
    """Every kind of document, asking the document service itself whether it applies to the case now
    (as of the event `chain_head` when the page read the case)."""
    refusals = document_refusals(services_of(page.request).db, page.actor, case_id, page.lang, chain_head=chain_head)
    return [DocumentLink(kind, f"/cases/{case_id}/documents/{kind}.pdf") if refusal is None else
            DocumentLink(kind, None, f"doc_not_yet_{kind}" if isinstance(refusal, DocumentNotApplicable)
                         else "doc_too_large")
            for kind, refusal in refusals.items()]


def _refusal(page: Page, status: int, text: str, case_id: int) -> Response:
    words = page.words
    response = page.render("message.html", status=status, heading=words.t("documents"),
                           text=words.t(text), back=f"/cases/{case_id}", back_text=words.t("back_to_case"))
    if status == 503:
        response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


class CaseDocuments(Controller):
    """GET /cases/{id}/documents/{kind}.pdf for the signed-in user."""

    include_in_schema = False

    @get("/cases/{case_id:int}/documents/{file_name:str}", sync_to_thread=True)
    def document(self, request: Request, case_id: FromPath[int], file_name: FromPath[str]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        kind = file_name.removesuffix(".pdf")
        try:
            if kind == file_name or kind not in KINDS:
                raise NotFound(f"no document '{file_name}'")
            prepared = prepare_document(services_of(request).db, page.actor, case_id, DocumentRequest(kind, page.lang))
            if not prepared.context.get("masked", True):
                log_if_unmasked(services_of(request).db, actor=page.actor, case_id=case_id, via=f"document:{kind}",
                                now=services_of(request).clock())
        except NotFound:
            return page.render("not_found.html", status=404)
        except DocumentNotApplicable:
            return _refusal(page, 409, f"doc_not_yet_{kind}", case_id)
        except DocumentTooLarge:
            return _refusal(page, 413, "doc_too_large", case_id)
        headers = {"etag": prepared.etag, "cache-control": "private, no-cache", "vary": "Cookie",
                   "x-content-type-options": "nosniff"}
        if prepared.etag in (request.headers.get("if-none-match") or "").replace(" ", "").split(","):
            return Response(b"", status_code=304, headers=headers)
        try:
            content = document_bytes(prepared, pool=shared_pool(), cache=shared_cache())
        except RendererBusy:
            return _refusal(page, 503, "doc_busy", case_id)
        except DocumentTooLarge:  # the renderer measures again as it lays the pages out
            return _refusal(page, 413, "doc_too_large", case_id)
        return Response(content, media_type=PDF, headers={**headers, "content-disposition": disposition(prepared)})
