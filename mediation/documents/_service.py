"""Documents for readers: one for the API or the command line, many for an export."""

from __future__ import annotations

import hashlib
import itertools
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from mediation.cases.views import CaseFilters, list_cases
from mediation.clock import utcnow
from mediation.db import Database
from mediation.directory.actors import Actor
from mediation.documents._cache import DocumentCache
from mediation.documents._context import DocumentRequest, document_context
from mediation.documents._errors import DocumentTooLarge
from mediation.documents._forms import blank_form_context
from mediation.documents._particulars import read_pictures
from mediation.documents._pool import RenderPool
from mediation.documents._rendering import Limits, RenderLimit, render_pdf, template_fingerprint
from mediation.errors import MediationError

TEMPLATES = template_fingerprint()
MAX_PAGE_SIZE = 200
UNSAFE_IN_FILE_NAMES = str.maketrans({"/": "_", "\\": "_", "\0": "_"})


@dataclass(frozen=True)
class PreparedDocument:
    """A document ready to render: its data and the ETag naming the bytes it will have."""

    request: DocumentRequest
    context: dict[str, Any]
    etag: str
    db: Database | None = None  # where the pictures it prints are read from, when it is rendered

    def ready_context(self) -> dict[str, Any]:
        """The context with the bytes of the pictures it prints (read only now: a 304 or a cached copy
        never reads them)."""
        urls = [entry["image"] for entry in self.context["evidence"] if entry["image"]]
        if urls and not self.context["images"] and self.db is not None:
            self.context["images"] = read_pictures(self.db, urls)
        return self.context

    @property
    def file_name(self) -> str:
        """`永嘉调〔2026〕00001号-人民调解卷宗.pdf`; a blank form by its title (`人民调解申请书（空白文书）.pdf`)."""
        if self.context["blank"]:
            return f"{self.context['metadata']['title']}.pdf"
        return f"{self.context['case']['number']}-{self.context['title']}.pdf".translate(UNSAFE_IN_FILE_NAMES)

    @property
    def ascii_file_name(self) -> str:
        if self.context["blank"]:
            return f"form-{self.request.kind}.pdf"
        return f"case-{self.context['case']['id']}-{self.request.kind}.pdf"


def prepare_document(db: Database, actor: Actor, case_id: int, request: DocumentRequest) -> PreparedDocument:
    """Read the case for this viewer; NotFound outside reach, 409 when the kind does not apply yet."""
    context = document_context(db, actor, case_id, request)
    key = ":".join(str(part) for part in (
        case_id, context["case"]["version"], "masked" if context["masked"] else "full", request.kind,
        request.lang, int(request.archival), TEMPLATES))
    return PreparedDocument(request, context, '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"', db)


def prepare_blank_form(kind: str, lang: str = "zh") -> PreparedDocument:
    """A blank printable form of `kind` (the same for every reader: its ETag names the templates only)."""
    context = blank_form_context(kind, lang)
    key = ":".join(("form", kind, lang, TEMPLATES))
    return PreparedDocument(DocumentRequest(kind, lang), context,
                            '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"')


def document_bytes(prepared: PreparedDocument, *, pool: RenderPool | None = None,
                   cache: DocumentCache | None = None) -> bytes:
    """The PDF: from the cache, else rendered by the pool (or in this process without one)."""
    content = cache.get(prepared.etag) if cache is not None else None
    if content is None:
        context = prepared.ready_context()
        content = pool.render(context) if pool is not None else render_here(context)
        if cache is not None:
            cache.put(prepared.etag, content)
    return content


def render_here(context: dict[str, Any], limits: Limits = Limits()) -> bytes:
    """Render in this process (the command line), with the same limits as the workers."""
    try:
        return render_pdf(context, limits)
    except RenderLimit as error:
        raise DocumentTooLarge(error.message, limit=error.limit) from None


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # case id, why


def export_documents(
    db: Database, actor: Actor, case_ids: Iterable[int], directory: Path, *, pool: RenderPool,
    request: DocumentRequest = DocumentRequest("case_file"), on_done: Callable[[int], None] | None = None,
) -> ExportReport:
    """Render one document per case into `directory`, named by case number, on every pool process.

    Cases the document does not apply to, or that are too large, are skipped and reported.
    """
    directory.mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    running: dict[Future, tuple[int, Path]] = {}
    for case_id in case_ids:
        try:
            prepared = prepare_document(db, actor, case_id, request)
        except MediationError as error:
            report.skipped.append((case_id, error.detail))
            _tell(on_done, case_id)
            continue
        path = directory / export_file_name(prepared)
        running[pool.render_to_file(prepared.ready_context(), path)] = (case_id, path)
        if len(running) >= 2 * pool.processes:  # keep every process busy, and no more in flight
            _collect(pool, running, report, on_done, wait(running, return_when=FIRST_COMPLETED).done)
    _collect(pool, running, report, on_done, wait(running).done)
    return report


def cases_to_export(db: Database, actor: Actor, *, unit: str, state: str | None = None) -> list[int]:
    """Ids of the cases in reach under `unit` (and in `state`), oldest first."""
    ids: list[int] = []
    for page in itertools.count(1):
        found = list_cases(db, actor, CaseFilters(state=state, unit=unit, page=page, page_size=MAX_PAGE_SIZE),
                           utcnow())
        ids.extend(item.id for item in found.items)
        if len(ids) >= found.total or not found.items:
            return sorted(ids)


def export_file_name(prepared: PreparedDocument) -> str:
    number = prepared.context["case"]["number"].translate(UNSAFE_IN_FILE_NAMES)
    return f"{number}.pdf" if prepared.request.kind == "case_file" else f"{number}-{prepared.request.kind}.pdf"


def _collect(pool: RenderPool, running: dict[Future, tuple[int, Path]], report: ExportReport,
             on_done: Callable[[int], None] | None, done: set[Future]) -> None:
    for future in done:
        case_id, path = running.pop(future)
        try:
            pool.result(future)
            report.written.append(path)
        except MediationError as error:
            report.skipped.append((case_id, error.detail))
        _tell(on_done, case_id)


def _tell(on_done: Callable[[int], None] | None, case_id: int) -> None:
    if on_done is not None:
        on_done(case_id)
