"""HTML from the Jinja2 templates, then PDF with WeasyPrint, within a page cap and a time limit.

This module runs inside the rendering processes (and in-process for the command line); it reads no
database: everything comes in the context built by `_context`. WeasyPrint (and the URL fetcher built
on it) is imported where a PDF is laid out, not with this module: its half second of imports is the
rendering processes' (their forkserver loads it once), not every server's and command's start.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
import segno
from markupsafe import Markup

from mediation.documents._labels import translator

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "documents"

MAX_PAGES = 120
RENDER_SECONDS = 30.0
ARCHIVAL_VARIANT = "pdf/a-3b"
ALARM_REPEAT_SECONDS = 0.2


class RenderLimit(Exception):
    """A document went over a limit while it was laid out: args are (message, limit name)."""

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message, limit)
        self.message, self.limit = message, limit


@dataclass(frozen=True)
class Limits:
    """How many pages a document may have and how long laying it out may take."""

    max_pages: int = MAX_PAGES
    seconds: float = RENDER_SECONDS


_environment: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """The templates, autoescaping everything (user text is text, never markup)."""
    global _environment
    if _environment is None:
        _environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True)
    return _environment


def template_fingerprint() -> str:
    """A digest of the template files: a change to them makes every cached document stale."""
    digest = hashlib.sha256()
    for path in sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(TEMPLATE_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def qr_svg(payload: str) -> Markup:
    """The cover's QR code (case number and audit chain head) as inline SVG."""
    code = segno.make_qr(payload, error="m")
    return Markup(code.svg_inline(scale=1, border=0, omitsize=True, dark="#000"))


def render_html(context: dict[str, Any]) -> str:
    template = environment().get_template(f"{context['kind']}.html")
    payload = context["qr_payload"]  # a blank form has none
    return template.render(context, t=translator(context["lang"]), qr=qr_svg(payload) if payload else "")


def render_pdf(context: dict[str, Any], limits: Limits = Limits()) -> bytes:
    """The PDF of one document; RenderLimit past the page cap or the time limit."""
    import weasyprint

    from mediation.documents._fetcher import DocumentURLFetcher

    options = {"pdf_variant": ARCHIVAL_VARIANT if context["archival"] else None, "custom_metadata": True}
    with time_limit(limits.seconds):
        html = weasyprint.HTML(string=render_html(context), base_url=TEMPLATE_DIR.as_uri() + "/",
                               url_fetcher=DocumentURLFetcher(images=context.get("images")))
        document = html.render(**options)
        if len(document.pages) > limits.max_pages:
            raise RenderLimit(f"the document would have {len(document.pages)} pages; the limit is "
                              f"{limits.max_pages}", "pages")
        return document.write_pdf(**options)


WARM_UP_HTML = (
    '<html lang="zh-CN"><body><h1 style="font-family: \'Noto Sans CJK SC\'; font-weight: bold">调解</h1>'
    '<p style="font-family: \'Noto Serif CJK SC\'">人民调解协议书</p></body></html>'
)


def warm_up() -> None:
    """Load the fonts and compile the templates once, before the first document is asked for."""
    import weasyprint

    from mediation.documents._fetcher import DocumentURLFetcher

    weasyprint.HTML(string=WARM_UP_HTML, url_fetcher=DocumentURLFetcher()).write_pdf()
    for name in environment().list_templates(extensions=["html"]):
        environment().get_template(name)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the work after `seconds` (SIGALRM: only in a process's main thread, as in the workers).

    Python swallows an exception raised in a finalizer (`__del__`), so an alarm that lands in one
    waits for the next, which repeats every ALARM_REPEAT_SECONDS.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, frame: Any) -> None:
        while frame is not None:
            if frame.f_code.co_name == "__del__":
                return
            frame = frame.f_back
        raise RenderLimit(f"laying the document out took longer than {seconds:g} s", "time")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_SECONDS)
    try:
        yield
    finally:
        _disarm(previous)


def _disarm(previous: Any) -> None:
    """Stop the alarm, even if one more goes off while this runs."""
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            return
        except RenderLimit:
            continue
