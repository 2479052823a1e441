"""`directory import FILE`: units and users from a CSV or XLSX file, checked whole first (DESIGN §9.4)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from mediation.cli._app import _fail, app, console, counted_progress, errors, writable_file
from mediation.db import Database

directory_app = typer.Typer(help="The directory of units and users as a whole.", no_args_is_help=True)
app.add_typer(directory_app, name="directory")

WORDS = {
    "refused": ("{n} rows refused; nothing was written:", "共 {n} 行被拒绝，未写入任何内容："),
    "row": ("row", "行"), "column": ("column", "列"), "reason": ("reason", "原因"),
    "summary": ("units: {nu} new, {cu} changed; users: {nw} new, {cw} changed; {same} unchanged",
                "单位：新增 {nu}，修改 {cu}；用户：新增 {nw}，修改 {cw}；{same} 条未变"),
    "dry_run": ("dry run: nothing was written", "试运行：未写入任何内容"),
    "hashing": ("hashing passwords", "加密密码"), "writing": ("writing", "写入"),
    "passwords": ("generated passwords (shown once; hand each to its user):", "生成的初始密码（仅显示一次，请分发给本人）："),
    "passwords_saved": ("{n} generated passwords written to {path} (shown nowhere else)",
                        "已将 {n} 个生成的初始密码写入 {path}（不再另行显示）"),
    "nothing": ("nothing to change", "无需更改"),
}


def _chinese() -> bool:
    return os.environ.get("LANG", "").lower().startswith("zh")


def _word(key: str, **values: object) -> str:
    return WORDS[key][1 if _chinese() else 0].format(**values)


@directory_app.command("import")
def directory_import(
    file: Path = typer.Argument(..., help="CSV (UTF-8) or XLSX with one sheet; a header row with a `type` column"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the whole file and say what would change"),
    passwords_out: Optional[Path] = typer.Option(None, help="Write generated passwords to this CSV, not the screen"),
) -> None:
    """Add or update units and users from a file: every row checked first, nothing written if one is refused."""
    from mediation.clock import utcnow
    from mediation.directory.import_check import check_rows
    from mediation.directory.import_file import FileRefused, read_rows

    if passwords_out is not None:
        writable_file(passwords_out, "--passwords-out")
    database = Database()
    try:
        rows = read_rows(file)
    except FileRefused as refused:
        _fail(f"{file}: {refused.refusal.field}: {refused.refusal.in_language(_chinese())}", code=2)
    with database.snapshot() as tx:
        plan = check_rows(tx, rows)
    if plan.refused:
        _show_refusals(plan.refused)
        raise typer.Exit(2)
    console.print(_word("summary", nu=len(plan.new_units), cu=len(plan.changed_units), nw=len(plan.new_users),
                        cw=len(plan.changed_users), same=plan.unchanged))
    if dry_run or not plan.changes:
        console.print(_word("dry_run") if dry_run else _word("nothing"))
        return
    generated = _write(database, plan, utcnow())
    _hand_over(generated, passwords_out)


def _show_refusals(refused: list) -> None:
    chinese = _chinese()
    errors.print(_word("refused", n=len(refused)))
    table = Table(_word("row"), _word("column"))
    table.add_column(_word("reason"), overflow="fold")
    for row in refused:
        table.add_row(str(row.row), row.column, escape(row.reason_zh if chinese else row.reason))
    errors.print(table)


def _write(database: Database, plan, now) -> dict[str, str]:
    """Hash the new passwords and write the plan, with a progress bar; the generated passwords."""
    from mediation.directory.import_write import hash_new_passwords, passwords_for, write_plan

    generated = passwords_for(plan)
    with counted_progress() as progress:
        hashing = progress.add_task(_word("hashing"), total=len(plan.new_users))
        hashes = hash_new_passwords(plan, generated, lambda n: progress.advance(hashing, n))
        writing = progress.add_task(_word("writing"), total=plan.changes)
        write_plan(database, plan, hashes, actor_id=None, now=now, advance=lambda n: progress.advance(writing, n))
    return generated


def _hand_over(generated: dict[str, str], passwords_out: Path | None) -> None:
    """Generated passwords listed once: to the file asked for (readable by its owner only), or the screen."""
    if not generated:
        return
    if passwords_out is not None:
        descriptor = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write("username,password\n")
            out.writelines(f"{username},{password}\n" for username, password in generated.items())
        console.print(_word("passwords_saved", n=len(generated), path=passwords_out))
        return
    console.print(_word("passwords"))
    table = Table("username", "password")
    for username, password in generated.items():
        table.add_row(username, password)
    console.print(table)
