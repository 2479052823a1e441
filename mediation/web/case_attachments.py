"""A case's attachments on the web: the upload form's route and the download link behind each file.

The files are the attachments service's (`store_attachment`, `open_attachment`): the same reach,
role and type checks as the API's, the same rule that an image of an ID card goes only to those
who see unmasked numbers. The upload form posts multipart here; with its script (static
web/upload.js) it posts by XMLHttpRequest to show the progress and gets a short JSON answer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Stream

from mediation.cases.attachments import ID_DOCUMENT, max_bytes_of, open_attachment, store_attachment
from mediation.cases.personal_data_views import log_if_unmasked
from mediation.cases.received_files import FileTooLarge, UnsupportedFileType
from mediation.errors import Forbidden, InvalidData, MediationError, NotFound, TransitionNotAllowed
from mediation.services import services_of
from mediation.web.case_attachment_list import size_text
from mediation.web.case_page import render_case
from mediation.web.page import Page, case_definition, page_of, reason_text, to_login
from mediation.web.session import CSRF_FIELD, csrf_ok

# The multipart body may be this large; the policy's own cap (attachments.max_bytes) is the service's.
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024
SCRIPTED = "x-upload-progress"  # the header upload.js sends: answer in JSON, not with a page


class CaseAttachments(Controller):
    """POST /cases/{id}/attachments and GET /cases/{id}/attachments/{attachment_id}."""

    include_in_schema = False

    @post("/cases/{case_id:int}/attachments", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request, case_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        form = await request.form()
        try:
            if not csrf_ok(request, form.get(CSRF_FIELD)):
                return await sync_to_thread(_refused, page, case_id, 403, page.words.t("csrf_failed"))
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                missing = f"{page.words.t('attachment_file')}：{page.words.t('required')}"
                return await sync_to_thread(_refused, page, case_id, 422, missing)
            return await sync_to_thread(_store, page, case_id, form, upload)
        finally:
            for value in form.values():
                if isinstance(value, UploadFile):
                    await value.close()

    @get("/cases/{case_id:int}/attachments/{attachment_id:int}", sync_to_thread=True)
    def download(self, request: Request, case_id: FromPath[int], attachment_id: FromPath[int]) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        try:
            view, chunks = open_attachment(services_of(request).db, page.actor, case_id, attachment_id)
        except NotFound:
            return page.render("not_found.html", status=404)
        if view.kind == ID_DOCUMENT:  # an identity document is personal data shown whole
            log_if_unmasked(services_of(request).db, actor=page.actor, case_id=case_id, via="attachment:id_document",
                            now=services_of(request).clock())
        headers = {"content-disposition": _disposition(view.file_name), "cache-control": "private, no-store",
                   "x-content-type-options": "nosniff", "content-length": str(view.size_bytes),
                   "content-security-policy": "default-src 'none'; sandbox"}
        return Stream(chunks, media_type=view.content_type, headers=headers)


def _store(page: Page, case_id: int, form: Any, upload: UploadFile) -> Response:
    """Store the file through the service; back to the case's attachments, or the refusal."""
    services = services_of(page.request)
    try:
        store_attachment(services.db, actor=page.actor, case_id=case_id, kind=str(form.get("kind") or ""),
                         description=str(form.get("description") or "") or None, file_name=upload.filename,
                         stream=upload.file, now=services.clock())
    except NotFound:
        return page.render("not_found.html", status=404)
    except MediationError as error:
        limit = size_text(max_bytes_of(case_definition(services, case_id).policy))
        return _refused(page, case_id, error.status_code, _refusal_text(page, error, limit))
    target = f"/cases/{case_id}?done=attach#attachments"
    if page.request.headers.get(SCRIPTED):
        return Response({"location": target}, status_code=201)
    return Redirect(path=target, status_code=303)


def _refusal_text(page: Page, error: MediationError, limit: str) -> str:
    """The refusal in the reader's words, naming the form's field by its label."""
    words = page.words
    file_label = words.t("attachment_file")
    if isinstance(error, FileTooLarge):
        return f"{file_label}：{words.t('upload_too_large', size=limit)}"
    if isinstance(error, UnsupportedFileType):
        return f"{file_label}：{words.t('upload_wrong_type')}"
    if isinstance(error, InvalidData):
        name = error.field.removeprefix("data.")
        label = words.t({"kind": "attachment_kind", "description": "attachment_description"}.get(name,
                                                                                                "attachment_file"))
        return f"{label}：{reason_text(words, error.reason)}"
    if isinstance(error, TransitionNotAllowed):
        return words.t("not_allowed")
    if isinstance(error, Forbidden):
        return words.t("forbidden")
    return reason_text(words, error.detail)


def _refused(page: Page, case_id: int, status: int, text: str) -> Response:
    """JSON for the script; else the case page with the refusal beside the upload form."""
    if page.request.headers.get(SCRIPTED):
        return Response({"error": text}, status_code=status)
    return render_case(page, case_id, status=status, upload_error=text)


def _disposition(file_name: str) -> str:
    """Content-Disposition keeping a Chinese file name (RFC 6266 filename*), an ASCII fallback beside it."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback or 'attachment'}\"; filename*=UTF-8''{quote(file_name, safe='')}"
