"""What a server or a command loads when it starts: not the PDF layout engine, not the XLSX writer.

WeasyPrint (half a second of imports) is loaded by the rendering processes, openpyxl at the first
XLSX export; a `serve` process restarting after a crash, a worker or a command starts without them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LOADED_ON_DEMAND = ("weasyprint", "openpyxl")


@pytest.mark.parametrize("module", ["mediation.app", "mediation.cli", "mediation.documents"])
def test_starting_loads_neither_the_pdf_engine_nor_the_xlsx_writer(module: str) -> None:
    probe = (f"import sys, {module}\n"
             f"print(' '.join(name for name in {LOADED_ON_DEMAND!r} if name in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_the_fetcher_is_still_offered_by_the_documents_package() -> None:
    from mediation.documents import DocumentURLFetcher, RefusedURL

    fetcher = DocumentURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch("file:///etc/passwd")
