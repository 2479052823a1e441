"""`export` and `import`: cases as JSON or CSV, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mediation.cli._app import (
    _fail,
    app,
    console,
    counted_progress,
    errors,
    readers_words,
    writable_file,
)
from mediation.db import Database
from mediation.errors import InvalidData, NotFound

FORMATS = ("json", "csv")


def _format_of(path: Path, given: Optional[str]) -> str:
    chosen = (given or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        _fail(f"format: '{chosen or path.name}' is not one of {list(FORMATS)} (use --format or a .json/.csv name)")
    return chosen


@app.command("export")
def export_command(
    output: Path = typer.Option(..., "-o", "--output", help="File to write (.json or .csv)"),
    file_format: Optional[str] = typer.Option(None, "--format", help="json or csv (default: from the file name)"),
    unit: Optional[str] = typer.Option(None, help="Only cases in this unit's subtree (unit code)"),
    state: Optional[str] = typer.Option(None, help="Only cases in this state"),
    masked: bool = typer.Option(False, "--masked", help="Mask ID and phone numbers (for sharing)"),
) -> None:
    """Write cases with their parties (JSON: and their event trail with hashes) to a file."""
    from mediation.cases.restore import exported_workflows
    from mediation.cases.transfer import (
        exported_cases,
        matching_case_ids,
        most_parties,
        write_csv,
        write_json,
    )
    from mediation.clock import utcnow

    chosen = _format_of(output, file_format)
    writable_file(output)
    database = Database()
    try:
        ids = matching_case_ids(database, unit=unit, state=state)
    except InvalidData as error:
        _fail(f"{error.field}: {readers_words(error.reason)}")
    with counted_progress(transient=True) as progress, output.open("w", encoding="utf-8-sig" if chosen == "csv" else "utf-8",
                                              newline="") as out:
        task = progress.add_task(f"exporting {len(ids)} cases", total=len(ids))

        def advancing():
            for document in exported_cases(database, ids, masked=masked, with_events=chosen == "json",
                                           with_record=chosen == "json"):
                yield document
                progress.advance(task)

        if chosen == "json":
            count = write_json(advancing(), out, exported_at=utcnow(),
                               workflows=None if masked else exported_workflows(database, ids))
        else:
            count = write_csv(advancing(), out, party_columns=max(2, most_parties(database, ids)))
    console.print(f"{count} cases written to {output}" + (" (ID and phone numbers masked)" if masked else ""))


@app.command("import")
def import_command(
    source: Path = typer.Argument(..., help="A .json (export or list of cases) or .csv file"),
    file_format: Optional[str] = typer.Option(None, "--format", help="json or csv (default: from the file name)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="File the cases as this user (one who may file cases; "
                                                              "the cases' units must be in the user's jurisdiction)"),
    restore: bool = typer.Option(False, "--restore", help="Bring a JSON export's cases back as they were (state, "
                                                          "event trail, hash chain, ids); refuses cases present"),
    allow_duplicates: bool = typer.Option(False, "--allow-duplicates",
                                          help="File rows already present (same number, or same parties and "
                                               "facts) again, as new cases"),
) -> None:
    """File each case of the file through intake; report every refused row; exit 1 if any was.

    A row already present is refused unless --allow-duplicates. Channel, category and risk level
    may be given as codes or as their labels (来访, 邻里纠纷, 低)."""
    from mediation.cases.intake import CASE_FILING_ROLES
    from mediation.cases.transfer import import_cases, read_csv, read_json
    from mediation.clock import utcnow
    from mediation.directory.accounts import actor_for

    chosen = _format_of(source, file_format)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{source}: cannot be read as UTF-8 text ({error})")
    if restore:
        _restore(source, chosen, text)
        return
    if as_user is None:
        _fail("--as: name the user who files the cases (or --restore to bring an export back as it was)", code=2)
    database = Database()
    try:
        actor = actor_for(database, as_user)
        cases = read_json(text) if chosen == "json" else read_csv(text)
    except NotFound as error:
        _fail(error.detail)
    except InvalidData as error:
        _fail(f"{source.name}: {error.reason}")
    if not actor.roles & CASE_FILING_ROLES:
        _fail(f"--as: {as_user} may not file cases (roles {sorted(actor.roles)}; "
              f"one of {sorted(CASE_FILING_ROLES)} may)")
    with counted_progress(transient=True) as progress:
        task = progress.add_task(f"filing {len(cases)} cases", total=len(cases))
        result = import_cases(database, cases, actor=actor, now=utcnow(), allow_duplicates=allow_duplicates,
                              on_row=lambda _n: progress.advance(task))
    for refusal in result.refused:
        errors.print(f"[red]row {refusal.row}:[/] {refusal.field}: {readers_words(refusal.reason)}", soft_wrap=True)
    console.print(f"{len(result.filed)} cases filed, {len(result.refused)} refused")
    if any(refusal.already_present for refusal in result.refused):
        console.print("rows already present were not filed again; --allow-duplicates files them as new cases")
    if result.refused:
        raise typer.Exit(1)


def _restore(source: Path, chosen: str, text: str) -> None:
    """`import --restore`: every case of a JSON export back with its state and chain; exit 1 if any was refused."""
    from mediation import jsontext
    from mediation.cases.restore import restore_cases
    from mediation.cases.transfer import read_json

    if chosen != "json":
        _fail(f"--restore: {source.name} is not a JSON export (a CSV holds no event trail)")
    try:
        cases = read_json(text)
        header = jsontext.loads(text)
    except InvalidData as error:
        _fail(f"{source.name}: {error.reason}")
    workflows = header.get("workflows") if isinstance(header, dict) else None
    database = Database()
    with counted_progress(transient=True) as progress:
        task = progress.add_task(f"restoring {len(cases)} cases", total=len(cases))
        try:
            result = restore_cases(database, cases, workflows or [], on_row=lambda _n: progress.advance(task))
        except InvalidData as error:
            _fail(f"{source.name}: {error.field}: {error.reason}")
    for refusal in result.refused:
        errors.print(f"[red]case {refusal.row}:[/] {refusal.field}: {refusal.reason}", soft_wrap=True)
    console.print(f"{len(result.restored)} cases restored, {len(result.refused)} refused")
    if result.refused:
        raise typer.Exit(1)
