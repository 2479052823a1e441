"""Attachments benchmark: a 10 MiB upload through the API against writing the same bytes to the database.

``python -m benchmarks attachments [--quick]`` prepares a fresh SQLite database (sample county, a
few cases assigned to mediator1), serves it with ``mediation serve --workers 2`` on loopback and measures,
in the same run and on the same database file:

a. ``POST /api/v1/cases/{id}/attachments`` of a 10 MiB PDF (multipart, one request at a time, from
   a plain http.client connection): the whole request, from the first byte sent to the answer;
b. the reference: the same 10 MiB written straight into the database (one write transaction, the
   attachment row and its 256 KiB chunks, through the product's own connection settings) — what
   storing the file costs at least, without HTTP, parsing, type check, hashing or the engine (the
   server writes the chunks as they come, 1 MiB to a transaction, beside the reading);
c. the server's memory: the resident set (VmRSS from /proc) of its worker processes, summed, sampled
   every 10 ms while 8 clients upload 10 MiB each at once, against the same sum at rest after a
   warm-up upload.

(a) and (b) run in interleaved rounds, each after the WAL was checkpointed; each figure is its rounds' median. The last line is
``upload_vs_direct=R upload_memory_mib=M`` (R = direct seconds ÷ upload seconds; the goals are
R ≥ 0.5 and M < 200).
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.api import Server, login
from benchmarks.report import Row, print_kv, print_table
from mediation.clock import utcnow
from mediation.db import Database

FILE_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
CONCURRENT = 8
WORKERS = 2
BOUNDARY = "benchmark-boundary-5d0c1f"
# Before each measured write the checkpointers (every 0.5 s) have copied the last 10 MiB out of the WAL:
# otherwise whichever write comes next pays for the other's checkpoint.
SETTLE_SECONDS = 1.2


@dataclass(frozen=True)
class Settings:
    rounds: int
    memory_rounds: int


QUICK = Settings(rounds=5, memory_rounds=1)
FULL = Settings(rounds=9, memory_rounds=3)


def pdf_of(size: int, seed: int = 0) -> bytes:
    """A PDF header and `size` bytes in all: what the type check takes, the rest incompressible-ish."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    body = bytes((i * 31 + seed) % 251 for i in range(65_536))
    return (head + body * (size // len(body) + 1))[:size]


def prepare_database(path: Path, cases: int) -> list[int]:
    """Migrate a fresh SQLite database, build the sample county, open `cases` cases assigned to mediator1."""
    from mediation.db import Database
    from mediation.db.schema import upgrade_database
    from mediation.demo.case_paths import drive_to
    from mediation.demo.sample_county import build_sample_county

    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    try:
        county = build_sample_county(db)
        return [drive_to(db, state="mediation.assigned", county=county) for _ in range(cases)]
    finally:
        db.dispose()


def multipart(content: bytes, file_name: str) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nevidence\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(port: int, token: str, case_id: int, body: bytes) -> float:
    """One upload over a new connection; its seconds (RuntimeError unless 201)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request("POST", f"/api/v1/cases/{case_id}/attachments", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
        answer = connection.getresponse()
        text = answer.read()
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    if answer.status != 201:
        raise RuntimeError(f"upload answered {answer.status}: {text[:500]!r}")
    return seconds


INSERT_ROW = ("INSERT INTO attachments (case_id, kind, description, file_name, content_type, size_bytes, sha256, "
              "uploaded_by, created_at) VALUES (:case_id, 'evidence', NULL, 'direct.pdf', 'application/pdf', :size, "
              ":sha256, NULL, :created_at)")
INSERT_CHUNK = "INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (:attachment_id, :seq, :data)"


def write_directly(db: Database, case_id: int, content: bytes) -> float:
    """The same bytes into attachments and attachment_chunks, one write transaction; its seconds."""
    started = time.perf_counter()
    with db.write() as tx:
        attachment_id = tx.insert(INSERT_ROW, {"case_id": case_id, "size": len(content), "sha256": "0" * 64,
                                               "created_at": tx.timestamp(utcnow())})
        for seq, offset in enumerate(range(0, len(content), CHUNK_BYTES)):
            tx.execute(INSERT_CHUNK, {"attachment_id": attachment_id, "seq": seq,
                                      "data": content[offset:offset + CHUNK_BYTES]})
    return time.perf_counter() - started


def resident_mib(pids: list[int]) -> float:
    """The summed VmRSS of the processes, in MiB."""
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kib += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total_kib / 1024


def concurrent_uploads_peak(server: Server, token: str, cases: list[int], body: bytes) -> tuple[float, float]:
    """(idle RSS, peak RSS) of the workers, in MiB, around CONCURRENT simultaneous uploads."""
    pids = server.worker_pids()
    idle = resident_mib(pids)
    peak = idle
    errors: list[BaseException] = []

    def one(case_id: int) -> None:
        try:
            upload(server.port, token, case_id, body)
        except BaseException as error:  # noqa: BLE001 — reported after the join
            errors.append(error)

    clients = [threading.Thread(target=one, args=(cases[i % len(cases)],)) for i in range(CONCURRENT)]
    for client in clients:
        client.start()
    while any(client.is_alive() for client in clients):
        peak = max(peak, resident_mib(pids))
        time.sleep(0.01)
    for client in clients:
        client.join()
    if errors:
        raise errors[0]
    return idle, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks attachments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under a minute in total)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    content = pdf_of(FILE_BYTES)
    body = multipart(content, "证据录像截图.pdf")
    with tempfile.TemporaryDirectory(prefix="mediation-bench-attachments-") as tmp:
        workdir = Path(tmp)
        database = workdir / "attachments.db"
        cases = prepare_database(database, CONCURRENT)
        server = Server(database, workdir, WORKERS)
        direct = Database(f"sqlite:///{database}")  # the reference's own connection, kept open like the server's,
        direct.start_checkpointer()  # and its WAL checkpointed beside it as the server's is
        try:
            server.wait_healthy()
            token = login(server.base)
            for _ in range(WORKERS * 2):  # warm every worker: imports, statements, the actor cache
                upload(server.port, token, cases[0], body)
            write_directly(direct, cases[0], content)
            uploads, directs = [], []
            for round_number in range(settings.rounds):
                time.sleep(SETTLE_SECONDS)
                directs.append(write_directly(direct, cases[round_number % len(cases)], content))
                time.sleep(SETTLE_SECONDS)
                uploads.append(upload(server.port, token, cases[round_number % len(cases)], body))
            memory = [concurrent_uploads_peak(server, token, cases, body) for _ in range(settings.memory_rounds)]
        except BaseException:
            print(f"server log (tail):\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            direct.dispose()
            server.stop()
    report(uploads, directs, memory)
    return 0


def report(uploads: list[float], directs: list[float], memory: list[tuple[float, float]]) -> None:
    upload_s, direct_s = statistics.median(uploads), statistics.median(directs)
    idle, peak = min(idle for idle, _ in memory), max(peak for _, peak in memory)
    growth = max(peak - idle for idle, peak in memory)
    mib = FILE_BYTES / (1024 * 1024)
    rows = [
        Row("direct write, 10 MiB (reference)", len(directs), direct_s, 1.0,
            f"median of {len(directs)}; best {min(directs):.3f} s; {mib / direct_s:.0f} MiB/s"),
        Row("upload through the API, 10 MiB", len(uploads), upload_s, direct_s / upload_s,
            f"median of {len(uploads)}; best {min(uploads):.3f} s; {mib / upload_s:.0f} MiB/s"),
        Row(f"{CONCURRENT} concurrent uploads: worker RSS", None, None, None,
            f"idle {idle:.0f} MiB, peak {peak:.0f} MiB, growth {growth:.0f} MiB ({WORKERS} workers)"),
    ]
    print_table(rows, title="attachments (SQLite, mediation serve --workers 2)")
    print(json.dumps({"uploads_s": [round(s, 4) for s in uploads], "directs_s": [round(s, 4) for s in directs],
                      "memory_mib": [[round(i, 1), round(p, 1)] for i, p in memory]}))
    print_kv(upload_vs_direct=direct_s / upload_s, upload_memory_mib=growth)


if __name__ == "__main__":
    sys.exit(main())
