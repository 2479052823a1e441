"""Attachment endpoints (DESIGN §9.2, §9.9): upload (multipart, streamed), list, download.

The upload is read as it streams in (streamed_upload.py) after reach and role are checked, its
chunks written as they come; the service then finishes the file and fires `attach` in one
transaction. A download streams the stored chunks, one database read per chunk. Like every handler here they run on the event loop's thread: no write
transaction ever stays open across an await.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Literal
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ResponseHeader, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, HeaderParameter, KwargDefinition
from litestar.response import Stream

from mediation.api.auth import AUTHENTICATED
from mediation.api.cases import HEADER_TEXT, IdempotencyKey, _expected_version
from mediation.api.openapi_docs import BEARER, errors
from mediation.api.streamed_upload import read_upload
from mediation.cases.attachments import (
    ATTACH,
    ID_DOCUMENT,
    AttachmentView,
    check_may_attach,
    list_attachments,
    open_attachment,
    store_received,
    upload_sink,
)
from mediation.cases.personal_data_views import log_if_unmasked
from mediation.directory.actors import Actor
from mediation.errors import InvalidData
from mediation.services import services_of
from mediation.workflows.loader import current_definition

FileKind = Literal[current_definition().triggers[ATTACH].fields_by_name["kind"].values]  # type: ignore[valid-type]


class AttachmentUpload(msgspec.Struct, forbid_unknown_fields=True):
    """The multipart form of an upload: these fields and no others (documented `additionalProperties: false`)."""

    file: UploadFile  # the file itself: PDF, JPEG, PNG, MP3 or M4A, as told from its bytes
    kind: FileKind  # evidence, signed_agreement, id_document, photo, audio, other
    description: Annotated[str, KwargDefinition(max_length=500)] = ""


def _documented_upload(data: Annotated[AttachmentUpload, Body(media_type=RequestEncodingType.MULTI_PART)]) -> None:
    """Documentation only: shows the multipart body in OpenAPI; never resolved (the handler streams the body)."""


IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description='Optional: the ETag of the case as you read it, e.g. "5"; 409 when the case has changed since.',
    schema_extra={**HEADER_TEXT, "pattern": r'^((W/)?"?[0-9]{1,10}"?)?$', "examples": ['"5"']})]
FILE_BYTES = KwargDefinition(schema_extra={"format": "binary"})
SHA256_ETAG = ResponseHeader(name="ETag", value='"<sha256>"', documentation_only=True, required=True,
                             description="The file's SHA-256, quoted; send it as If-None-Match.")
DISPOSITION = ResponseHeader(name="Content-Disposition", value="attachment; filename*=UTF-8''…",
                             documentation_only=True, required=True,
                             description="The file name, in UTF-8 (RFC 5987), with an ASCII fallback.")
REPLAYED = ResponseHeader(name="Idempotent-Replayed", value="true", documentation_only=True,
                          description="true when the answer is the one stored under the Idempotency-Key.")


class AttachmentController(Controller):
    path = "/api/v1/cases/{case_id:int}/attachments"
    tags = ["attachments"]
    dependencies = AUTHENTICATED
    security = BEARER

    @post("/", status_code=201, request_max_body_size=None,
          dependencies={"upload": Provide(_documented_upload, sync_to_thread=False)},
          summary="Attach a file: multipart fields file, kind, description",
          description="The type is told from the bytes (PDF, JPEG, PNG, MP3, M4A: else 422 naming `file`); a file "
                      "over the policy's cap (attachments.max_bytes, 20 MiB unless set) is 413. Fires `attach`; "
                      "If-Match is optional (an attachment conflicts with no other change).",
          responses=errors(400, 401, 403, 404, 409, 413, 422), response_headers=[SHA256_ETAG, REPLAYED])
    async def upload(self, request: Request, case_id: FromPath[int], actor: NamedDependency[Actor],
                     if_match: IfMatch = None, idempotency_key: IdempotencyKey = None) -> Response[AttachmentView]:
        services, now = services_of(request), services_of(request).clock()
        expected = _expected_version(if_match, None) if if_match else None
        max_bytes = check_may_attach(services.db, actor, case_id)
        form = await read_upload(request, max_bytes, upload_sink(services.db, actor=actor, case_id=case_id, now=now))
        try:
            if form.received is None:
                raise InvalidData("file", "is required")
            stored = store_received(
                services.db, actor=actor, case_id=case_id, kind=form.texts.get("kind", ""),
                description=form.texts.get("description") or None, file_name=form.file_name,
                received=form.received, now=now, expected_version=expected,
                idempotency_key=idempotency_key)
        except InvalidData as refused:  # the form's field, not the event's (`data.kind` is `kind` here)
            raise InvalidData(refused.field.removeprefix("data."), refused.reason) from None
        finally:
            form.close()
        headers = {"content-type": "application/json", "etag": f'"{form.received.sha256}"'}
        if stored.replayed:
            headers["idempotent-replayed"] = "true"
        return Response(stored.body.encode(), status_code=stored.status, headers=headers)

    @get("/", sync_to_thread=False, summary="The case's attachments, oldest first",
         responses=errors(400, 401, 404))
    def index(self, request: Request, case_id: FromPath[int], actor: NamedDependency[Actor]) -> list[AttachmentView]:
        return list_attachments(services_of(request).db, actor, case_id)

    @get("/{attachment_id:int}", sync_to_thread=False, summary="One attachment's bytes",
         response_description="The file as stored, Content-Type as told from its bytes; 304 when If-None-Match "
                              "names its ETag", response_headers=[SHA256_ETAG, DISPOSITION],
         responses=errors(400, 401, 404), media_type="application/octet-stream")
    def download(self, request: Request, case_id: FromPath[int], attachment_id: FromPath[int],
                 actor: NamedDependency[Actor]) -> Response[Annotated[bytes, FILE_BYTES]]:
        services = services_of(request)
        view, chunks = open_attachment(services.db, actor, case_id, attachment_id)
        if view.kind == ID_DOCUMENT:  # an identity document is personal data shown whole
            log_if_unmasked(services.db, actor=actor, case_id=case_id, via="attachment:id_document",
                            now=services.clock())
        headers = {"etag": f'"{view.sha256}"', "cache-control": "private, no-cache", "vary": "Authorization",
                   "x-content-type-options": "nosniff"}
        if headers["etag"] in (request.headers.get("if-none-match") or "").replace(" ", "").split(","):
            return Response(b"", status_code=304, headers=headers)
        headers.update({"content-type": view.content_type, "content-length": str(view.size_bytes),
                        "content-disposition": content_disposition(view.file_name)})
        return Stream(_on_the_loop(chunks), media_type=view.content_type, headers=headers)


async def _on_the_loop(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Each chunk read on the event loop's thread (a plain iterator would be read in the thread pool)."""
    for chunk in chunks:
        yield chunk


def content_disposition(file_name: str) -> str:
    """attachment; the name in UTF-8 (RFC 5987 `filename*`), an ASCII fallback beside it for older clients."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;%' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
