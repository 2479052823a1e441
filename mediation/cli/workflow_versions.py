"""`workflows versions [NAME]` and `workflows diff V1 V2`: the stored versions and what changed between two."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from mediation.cli._app import _fail, console
from mediation.cli.workflows import workflows_app
from mediation.db import Database
from mediation.workflows.loader import current_definition

HEADERS = {"zh": ("版本", "入库时间", "内容摘要", "在办案件", "已结案件", "当前版本"),
           "en": ("version", "stored (China time)", "hash", "open cases", "closed cases", "current")}
CURRENT = {"zh": "是", "en": "yes"}
NO_CHANGES = {"zh": "两个版本没有差别。", "en": "The two versions do not differ."}
TITLE = {"zh": "{name}：版本 {before} → {after}", "en": "{name}: version {before} → {after}"}


def _language(lang: str) -> str:
    if lang not in ("zh", "en"):
        _fail(f"--lang: '{lang}' is not zh or en", 2)
    return lang


@workflows_app.command("versions")
def workflows_versions(
    name: Optional[str] = typer.Argument(None, help="Workflow name (default: the deployment's workflow)"),
    lang: str = typer.Option("zh", help="zh or en"),
) -> None:
    """List the stored versions of a workflow, with the cases on each and which one is current."""
    from mediation.cases.workflow_history import version_rows
    from mediation.errors import NotFound
    from mediation.workflows.calendar import CHINA_OFFSET

    lang = _language(lang)
    try:
        rows = version_rows(Database(), name or current_definition().name)
    except NotFound as error:
        _fail(error.detail, 2)
    table = Table(title=name or current_definition().name)
    for header in HEADERS[lang]:
        table.add_column(header)
    for row in rows:
        table.add_row(str(row.version), (row.stored_at + CHINA_OFFSET).strftime("%Y-%m-%d %H:%M"), row.content_hash[:12],
                      str(row.open_cases), str(row.closed_cases), CURRENT[lang] if row.current else "")
    console.print(table)


@workflows_app.command("diff")
def workflows_diff(
    before: int = typer.Argument(..., help="Version number to compare from"),
    after: int = typer.Argument(..., help="Version number to compare to"),
    name: Optional[str] = typer.Option(None, "--name", help="Workflow name (default: the deployment's workflow)"),
    lang: str = typer.Option("zh", help="zh or en"),
    as_json: bool = typer.Option(False, "--json", help="The changes as JSON (kind, code, labels, before, after)"),
) -> None:
    """What changed from one stored version of a workflow to another, by section, in the author's words."""
    from mediation.cases.workflow_history import version_diff
    from mediation.errors import NotFound
    from mediation.workflows.diff_text import render

    lang = _language(lang)
    name = name or current_definition().name
    try:
        old, new, changes = version_diff(Database(), name, before, after)
    except NotFound as error:
        _fail(error.detail, 2)
    if as_json:
        typer.echo(json.dumps([change.as_dict() for change in changes], ensure_ascii=False, indent=1, default=str))
        return
    console.print(escape(TITLE[lang].format(name=name, before=before, after=after)))
    for line in render(changes, lang, old=old, new=new) or [NO_CHANGES[lang]]:
        console.print(escape(line), soft_wrap=True)
