"""Dispatcher: ``python -m benchmarks <name> [options]`` runs ``benchmarks.<name>.main(argv)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand name -> module under ``benchmarks``. Add new benchmarks here.
BENCHMARKS: dict[str, str] = {
    "api": "api: HTTP reads and transitions per second vs a trivial endpoint (wrk, 2 workers)",
    "attachments": "attachments: a 10 MiB upload through the API vs writing it to the database; server memory",
    "copy": "copy: `db copy` of N cases (default 1,000,000) SQLite to PostgreSQL vs PostgreSQL's own COPY",
    "directory": "directory: `directory import` of 3,500 grids and 5,000 users, then the same file again (no changes)",
    "engine": "engine: case engine transitions vs raw sqlite3 and SpiffWorkflow",
    "figures": "figures: the supervisors' dashboard figures (API and web) at 1,000,000 cases, SQLite and PostgreSQL",
    "migrate": "migrate: `workflows migrate` dry run and apply of 100,000 cases vs the engine; memory at N and N/10",
    "million": "million: the board, list filters, text search, my work and orders at 1,000,000 cases, SQLite and PostgreSQL",
    "pdf": "pdf: case file rendering vs WeasyPrint on static HTML; bulk export on 1 and 2 processes",
    "scale": "scale: POST transitions/s through 2 serve processes vs 1, deadlines/s by 2 workers vs 1, PostgreSQL",
    "web": "web: server time of the case board and the case page vs the API's case list (100,000 cases)",
    "worker": "worker: due deadlines fired per second, SQLite and 2 PostgreSQL workers, vs the engine",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run a benchmark; options after the name go to that benchmark.",
    )
    parser.add_argument("name", choices=sorted(BENCHMARKS), help="benchmark to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="options for the benchmark")
    ns = parser.parse_args(argv[:1] if argv else argv)  # only the name is ours
    module = importlib.import_module(f"benchmarks.{ns.name}")
    result = module.main(argv[1:])
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
