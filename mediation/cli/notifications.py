"""`outbox list|retry`, `webhooks add|list|disable`."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from mediation.cli._app import _fail, app, console
from mediation.db import Database
from mediation.errors import MediationError

outbox_app = typer.Typer(help="Notifications waiting for, or done with, webhook delivery.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook endpoints the worker delivers notifications to.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(webhooks_app, name="webhooks")


def _when(value) -> str:
    return value.isoformat(" ", "seconds") if value else ""


@outbox_app.command("list")
def outbox_list(
    status: Optional[str] = typer.Option(None, help="pending|sending|sent|dead|skipped"),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first"),
) -> None:
    """List outbox messages, newest first."""
    from mediation.notifications.outbox import list_messages

    try:
        rows = list_messages(Database(), status=status, limit=limit)
    except MediationError as error:
        _fail(error.detail, code=2)
    table = Table(title=f"Outbox ({status or 'all'})")
    for column in ("id", "case", "seq", "topic", "recipient", "status", "tries", "next try", "created", "error"):
        table.add_column(column, justify="right" if column in ("id", "seq", "tries") else "left")
    for m in rows:
        table.add_row(str(m.id), m.case_number, str(m.event_seq), m.topic, m.recipient, m.status, str(m.attempts),
                      _when(m.next_attempt_at) if m.status in ("pending", "sending") else "",
                      _when(m.created_at), m.last_error or "")
    console.print(table)


@outbox_app.command("retry")
def outbox_retry(message_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Put a dead message back in the queue with all its tries."""
    from mediation.clock import utcnow
    from mediation.notifications.outbox import retry_message

    try:
        retry_message(Database(), message_id, now=utcnow())
    except MediationError as error:
        _fail(error.detail)
    console.print(f"outbox message {message_id} is pending again")


@webhooks_app.command("add")
def webhooks_add(
    url: str,
    secret: str = typer.Option(..., prompt=True, hide_input=True, help="Shared secret for the HMAC signature"),
    topic: list[str] = typer.Option([], help="Only this topic; repeat for several (default: every topic)"),
) -> None:
    """Register an http(s) endpoint."""
    from mediation.notifications.webhooks import add_webhook

    try:
        webhook_id = add_webhook(Database(), url=url, secret=secret, topics=topic)
    except MediationError as error:
        _fail(error.detail, code=2)
    console.print(f"webhook {webhook_id} added: {url} ({', '.join(sorted(set(topic))) or 'every topic'})")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """List endpoints (secrets are not shown)."""
    from mediation.notifications.webhooks import ENV_URL, env_endpoint, list_webhooks

    table = Table(title="Webhooks")
    for column in ("id", "url", "topics", "active", "created"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for hook in list_webhooks(Database()):
        table.add_row(str(hook.id), hook.url, " ".join(hook.topics) or "(every topic)", "yes" if hook.active else "no",
                      _when(hook.created_at))
    try:
        default = env_endpoint()
    except MediationError as error:
        _fail(error.detail, code=2)
    if default:
        table.add_row("0", default.url, "(every topic)", "yes", f"(from {ENV_URL})")
    console.print(table)


@webhooks_app.command("disable")
def webhooks_disable(webhook_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Stop delivering to an endpoint."""
    from mediation.notifications.webhooks import set_active

    try:
        set_active(Database(), webhook_id, False)
    except MediationError as error:
        _fail(error.detail)
    console.print(f"webhook {webhook_id} disabled")
