"""Accessibility checks of a page in the browser with axe-core (vendored, injected per page).

`check_accessibility(page, name)` injects `vendor/axe-core/axe.min.js` into the page, runs
`axe.run` on the whole document with the WCAG 2.0/2.1/2.2 A and AA rules and fails on any
serious or critical violation, listing rule id, impact, the elements (CSS targets) and help.
Moderate and minor findings are returned for the caller to look at but do not fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact, summary: n.failureSummary})),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG A/AA violation axe finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as an inline <script>: the pages' Content-Security-Policy refuses those.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, WCAG_TAGS)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        lines.extend(f"    {n['target']}: {(n['summary'] or '').splitlines()[-1].strip()}" for n in v["nodes"][:8])
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def check_accessibility(page: Page, name: str) -> list[dict[str, Any]]:
    """Fail on serious or critical violations on the page; returns the lesser ones."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe: serious or critical violations on {name} ({page.url}):\n{describe(blocking)}"
    return violations
