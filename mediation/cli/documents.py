"""`render` and `export-pdfs`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from mediation.cli._app import (
    _fail,
    app,
    case_id_given,
    console,
    counted_progress,
    errors,
    writable_file,
)
from mediation.db import Database
from mediation.errors import MediationError


def _viewer(database: Database, username: Optional[str]):
    """The user a document is rendered for (numbers masked as they would see them); the system when none."""
    from mediation.directory.accounts import actor_for
    from mediation.directory.actors import SYSTEM

    return actor_for(database, username) if username else SYSTEM


@app.command()
def render(
    case: str = typer.Argument(..., help="Case id or number, e.g. 永嘉调〔2026〕00123号"),
    kind: str = typer.Argument(..., help="case_file|agreement|referral|judicial_application|return_visit|application|"
                                          "intake_register|rights_notice|session_record|investigation_record|outcome_notice"),
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write"),
    as_user: Optional[str] = typer.Option(None, "--as", help="Render for this user (masked as they see it)"),
    archival: bool = typer.Option(False, "--archival", help="PDF/A-3b archival copy"),
    lang: str = typer.Option("zh", help="zh or en"),
) -> None:
    """Render one document of a case to a PDF file."""
    from mediation.documents import DocumentRequest, document_bytes, prepare_document

    writable_file(output)
    database = Database()
    case_id = case_id_given(database, case)
    try:
        prepared = prepare_document(database, _viewer(database, as_user), case_id,
                                    DocumentRequest(kind, lang, archival))
        size = output.write_bytes(document_bytes(prepared))
    except MediationError as error:
        _fail(error.detail)
    console.print(f"{output}: {prepared.file_name}, {size / 1024:.0f} KiB")


@app.command("export-pdfs")
def export_pdfs(
    unit: str = typer.Option(..., help="Cases of this unit and the units below it"),
    state: Optional[str] = typer.Option(None, help="Only cases in this state, e.g. closed.resolved"),
    output: Path = typer.Option(..., "-o", "--output", help="Folder to write the PDF files into"),
    processes: int = typer.Option(os.cpu_count() or 1, min=1, help="Rendering processes (default: every core)"),
    kind: str = typer.Option("case_file", help="Which document of each case"),
    as_user: Optional[str] = typer.Option(None, "--as", help="Render for this user (masked as they see it)"),
    archival: bool = typer.Option(False, "--archival", help="PDF/A-3b archival copies"),
) -> None:
    """Render a document of every matching case into a folder, on every core, with a progress bar."""
    from mediation.documents import DocumentRequest, RenderPool, cases_to_export, export_documents

    database = Database()
    try:
        actor, request = _viewer(database, as_user), DocumentRequest(kind, archival=archival)
        ids = cases_to_export(database, actor, unit=unit, state=state)
    except MediationError as error:
        _fail(error.detail)
    with RenderPool(processes) as pool, counted_progress() as progress:
        task = progress.add_task(f"rendering {kind} on {processes} processes", total=len(ids))
        report = export_documents(database, actor, ids, output, pool=pool, request=request,
                                  on_done=lambda _case: progress.advance(task))
    for case_id, why in report.skipped:
        errors.print(f"[yellow]case {case_id} skipped:[/] {why}")
    console.print(f"{len(report.written)} of {len(ids)} cases written to {output}")
