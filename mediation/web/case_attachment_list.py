"""The attachments section of the case page: the files the reader may see, and the upload form's choices.

The list is the attachments service's (`list_attachments`): an image of an ID card is listed only to
those who see unmasked numbers. The form is offered to those who may fire `attach` on the case now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediation.cases.attachments import list_attachments, max_bytes_of
from mediation.cases.read_models import CaseDetail
from mediation.errors import NotFound
from mediation.services import services_of
from mediation.web.page import Page
from mediation.workflows.definition import WorkflowDefinition


@dataclass
class AttachmentSection:
    items: list[dict[str, Any]]  # each: the view, its kind's label, its size in words, its address
    may_upload: bool
    kinds: list[tuple[str, str]]
    limit_text: str
    error: str | None


def size_text(size: int) -> str:
    """1.5 MB, 820 KB, 312 B: the size as a person reads it (binary units, one decimal above KB)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def attachment_section(page: Page, detail: CaseDetail, definition: WorkflowDefinition,
                       error: str | None) -> AttachmentSection:
    """The files listed for this reader and, when they may add one, the upload form's kinds and limit."""
    words = page.words
    try:
        views = list_attachments(services_of(page.request).db, page.actor, detail.id)
    except NotFound:
        views = []
    spec = definition.triggers.get("attach")
    kind_spec = spec.fields_by_name.get("kind") if spec else None
    limit = max_bytes_of(definition.policy)
    return AttachmentSection(
        items=[{"view": view, "kind": words.value(view.kind), "size": size_text(view.size_bytes),
                "url": f"/cases/{detail.id}/attachments/{view.id}"} for view in views],
        may_upload=spec is not None and "attach" in detail.available_triggers,
        kinds=[(code, words.value(code)) for code in (kind_spec.values if kind_spec else ())],
        limit_text=size_text(limit), error=error,
    )
