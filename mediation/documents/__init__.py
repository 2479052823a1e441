"""Documents of a case as PDF (DESIGN §6, §9.2): the bound 卷宗, 人民调解协议书, 流转单, 司法确认申请书,
回访记录, 申请书, 受理登记表, 权利义务告知书, 调解记录, 调查记录, 结果告知书; blank printable forms.

`prepare_document` reads the case as the viewer may see it (numbers masked per DESIGN §5);
`document_bytes` renders it (Jinja2 + WeasyPrint) in a `RenderPool` of worker processes, or in
this process without one; `export_documents` renders many on every process of a pool.
"""

from mediation.documents._answers import PDF, RETRY_AFTER_SECONDS, disposition
from mediation.documents._cache import DocumentCache, shared_cache
from mediation.documents._context import KINDS, DocumentRequest, document_context, document_refusals
from mediation.documents._errors import (
    DocumentNotApplicable,
    DocumentTooLarge,
    RendererBusy,
    UnknownDocument,
)
from mediation.documents._forms import BLANK_FORMS
from mediation.documents._pool import RenderPool, shared_pool
from mediation.documents._rendering import MAX_PAGES, Limits, render_html
from mediation.documents._service import (
    ExportReport,
    PreparedDocument,
    cases_to_export,
    document_bytes,
    export_documents,
    prepare_blank_form,
    prepare_document,
)

__all__ = [
    "BLANK_FORMS",
    "KINDS",
    "MAX_PAGES",
    "PDF",
    "RETRY_AFTER_SECONDS",
    "DocumentCache",
    "DocumentNotApplicable",
    "DocumentRequest",
    "DocumentTooLarge",
    "DocumentURLFetcher",
    "ExportReport",
    "Limits",
    "PreparedDocument",
    "RefusedURL",
    "RenderPool",
    "RendererBusy",
    "UnknownDocument",
    "cases_to_export",
    "document_bytes",
    "document_context",
    "disposition",
    "document_refusals",
    "export_documents",
    "prepare_blank_form",
    "prepare_document",
    "render_html",
    "shared_cache",
    "shared_pool",
]


def __getattr__(name: str):
    """The URL fetcher and its refusal, built on WeasyPrint, imported when first asked for (the
    server itself lays out no PDF: its rendering processes do)."""
    if name in ("DocumentURLFetcher", "RefusedURL"):
        from mediation.documents import _fetcher

        return getattr(_fetcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
