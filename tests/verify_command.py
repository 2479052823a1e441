"""`mediation verify` run as an operator runs it: the virtual environment's entry point, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_verify(url: str, *arguments: str) -> subprocess.CompletedProcess:
    """`mediation verify ARGUMENTS` on the database at `url`; its exit status and output."""
    command = Path(sys.executable).parent / "mediation"
    environment = {**os.environ, "MEDIATION_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run([str(command), "verify", *arguments], env=environment, capture_output=True, text=True,
                          check=False)


def assert_verify_clean(url: str) -> str:
    """Every hash chain on the database verifies (exit 0); the command's last line."""
    result = run_verify(url)
    assert result.returncode == 0 and "every hash chain verifies" in result.stdout, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]
