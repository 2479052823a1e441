"""Document endpoints: a case's documents as PDF (DESIGN §6, §9.2), cached by case version and mask level;
blank printable forms (`/api/v1/forms/{kind}.pdf`)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, KwargDefinition, QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.cases.personal_data_views import log_if_unmasked
from mediation.directory.actors import Actor
from mediation.documents import (
    BLANK_FORMS,
    KINDS,
    PDF,
    RETRY_AFTER_SECONDS,
    DocumentRequest,
    PreparedDocument,
    RendererBusy,
    UnknownDocument,
    disposition,
    document_bytes,
    prepare_blank_form,
    prepare_document,
    shared_cache,
    shared_pool,
)
from mediation.services import services_of

PDF_BYTES = KwargDefinition(schema_extra={"format": "binary"})  # the body is the file itself, not text
DOCUMENT_HEADERS = [
    ResponseHeader(name="ETag", value='"…"', documentation_only=True, required=True,
                   description="Names this rendering (case version, mask level, language); send it as If-None-Match."),
    ResponseHeader(name="Content-Disposition", value='attachment; filename="…"', documentation_only=True,
                   required=True, description="The file name the document is saved under."),
]


class DocumentController(Controller):
    path = "/api/v1/cases/{case_id:int}/documents"
    tags = ["documents"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/{file_name:str}", sync_to_thread=True, media_type=PDF, content_media_type=PDF,
         response_description="The document: PDF bytes (PDF/A-3b when archival); 304 when If-None-Match names its ETag",
         response_headers=DOCUMENT_HEADERS, responses=errors(400, 401, 404, 409, 413, 422, 503),
         summary=f"A document of the case as PDF: {', '.join(KINDS)}")
    def show(
        self, request: Request, case_id: FromPath[int], file_name: FromPath[str], actor: NamedDependency[Actor],
        lang: Annotated[str, QueryParameter(max_length=8, description="zh (default) or en")] = "zh",
        archival: Annotated[bool, QueryParameter(description="PDF/A-3b archival copy")] = False,
    ) -> Response[Annotated[bytes, PDF_BYTES]]:
        services = services_of(request)
        prepared = prepare_document(services.db, actor, case_id, DocumentRequest(kind_of(file_name), lang, archival))
        if not prepared.context.get("masked", True):
            log_if_unmasked(services.db, actor=actor, case_id=case_id, via=f"document:{prepared.request.kind}",
                            now=services.clock())
        return pdf_answer(request, prepared)


class FormController(Controller):
    path = "/api/v1/forms"
    tags = ["documents"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/{file_name:str}", sync_to_thread=True, media_type=PDF, content_media_type=PDF,
         response_description="The blank form: PDF bytes; 304 when If-None-Match names its ETag",
         response_headers=DOCUMENT_HEADERS, responses=errors(400, 401, 404, 422, 503),
         summary=f"A blank printable form, to fill in by hand: {', '.join(BLANK_FORMS)}")
    def show(
        self, request: Request, file_name: FromPath[str], actor: NamedDependency[Actor],  # signed in: any user
        lang: Annotated[str, QueryParameter(max_length=8, description="zh (default) or en")] = "zh",
    ) -> Response[Annotated[bytes, PDF_BYTES]]:
        return pdf_answer(request, prepare_blank_form(kind_of(file_name), lang))


def kind_of(file_name: str) -> str:
    """`case_file.pdf` -> `case_file`; 404 for a name that is not KIND.pdf."""
    kind = file_name.removesuffix(".pdf")
    if kind == file_name:
        raise UnknownDocument(f"documents are served as KIND.pdf, not '{file_name}'", kind=file_name)
    return kind


def pdf_answer(request: Request, prepared: PreparedDocument) -> Response:
    """The PDF with its ETag (304 when the reader has it), rendered by the shared pool or from the cache."""
    headers = {"etag": prepared.etag, "cache-control": "private, no-cache", "vary": "Authorization"}
    if prepared.etag in (request.headers.get("if-none-match") or "").replace(" ", "").split(","):
        return Response(b"", status_code=304, headers=headers)
    try:
        content = document_bytes(prepared, pool=shared_pool(), cache=shared_cache())
    except RendererBusy as busy:
        raise HTTPException(status_code=503, detail=busy.detail,
                            headers={"retry-after": str(RETRY_AFTER_SECONDS)}) from None
    return Response(content, media_type=PDF, headers={**headers, "content-disposition": disposition(prepared)})
