"""A PostgreSQL cluster of a test's own (made by scripts/pg), to stop at once and start again.

The suite's shared cluster stays up while such a test takes its own down. scripts/pg makes a
fast, crash-unsafe cluster (fsync, synchronous_commit and full_page_writes off); `durable=True`
turns all three back on, as a production cluster runs, for tests that count on nothing
acknowledged being lost across `pg_ctl stop -m immediate`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
DURABLE_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")


def _pg_bin(name: str) -> str:
    bindir = os.environ.get("MEDIATION_PG_BINDIR") or max(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: [int(p) for p in path.parent.name.split(".")])
    return str(Path(bindir) / name)


def _as_postgres(command: list[str]) -> list[str]:
    """pg_ctl refuses to run as root (scripts/pg does the same)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    """A PostgreSQL cluster made by scripts/pg for this test alone: stopped at once, started again."""

    directory: Path
    url: str

    @classmethod
    @contextmanager
    def running(cls, *, durable: bool = False) -> Iterator[Cluster]:
        base = Path(tempfile.mkdtemp(prefix="outage-", dir="/tmp"))
        base.chmod(0o755)  # the postgres user works in it
        env = {**os.environ, "TMPDIR": str(base), "MEDIATION_PG_DIR_FILE": str(base / "dir")}
        url = subprocess.run(["bash", "scripts/pg", "start"], cwd=ROOT, env=env, check=True, text=True,
                             capture_output=True).stdout.strip()
        cluster = cls(Path((base / "dir").read_text().strip()), url)
        try:
            if durable:
                cluster._alter_system({name: "on" for name in DURABLE_SETTINGS})
            yield cluster
        finally:
            subprocess.run(["bash", "scripts/pg", "stop", str(cluster.directory)], cwd=ROOT, env=env, check=False,
                           capture_output=True)
            shutil.rmtree(base, ignore_errors=True)

    def settings(self, *names: str) -> dict[str, str]:
        """The server's current values of the named settings."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return {name: connection.execute(sa.text(f"SHOW {name}")).scalar_one() for name in names}
        finally:
            engine.dispose()

    def _alter_system(self, values: dict[str, str]) -> None:
        """Settings written to postgresql.auto.conf (they outlive a restart) and loaded now."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for name, value in values.items():
                    connection.execute(sa.text(f"ALTER SYSTEM SET {name} = '{value}'"))
                connection.execute(sa.text("SELECT pg_reload_conf()"))
        finally:
            engine.dispose()
        deadline = time.monotonic() + 30
        while self.settings(*values) != values:  # the reload reaches new sessions a moment later
            assert time.monotonic() < deadline, f"PostgreSQL did not take {values}"
            time.sleep(0.05)

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(self.directory / "data"), *arguments]), check=True,
                       capture_output=True, timeout=90)

    def stop_immediately(self) -> None:
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def start_again(self) -> None:
        port = sa.make_url(self.url).port
        self._pg_ctl("-l", str(self.directory / "postgres.log"), "-w", "-t", "60", "-o", f"-p {port}", "start")
