"""The case list's text search index (`q`): every writer of a case's searchable text calls `refresh`.

A case's searchable text is its number, title, facts (`case_texts.description`) and its parties'
names, one per line; `case_search` holds it (a plain table on both databases, so `db copy` and
backups carry it). A search for `q` finds the cases whose text holds `q` as a substring (the old
`LIKE '%q%'` semantics: ASCII case-insensitive on SQLite, exact on PostgreSQL), in any script and
of any length, Chinese included (张, 张三), through an index of the text's character grams:

- the grams of a text are its single characters and its pairs of neighbouring characters within a
  line; a query of one character looks for that character, a longer one for its pairs (at most
  MAX_QUERY_GRAMS of them), and the candidates are confirmed by `LIKE` on their text;
- SQLite: a contentless FTS5 table `case_search_grams` (rowid = case id, detail=none) whose tokens
  are the grams spelled in hexadecimal (`x5f20x4e09` for 张三), so the tokenizer never splits or
  drops a character and no user input reaches the FTS query syntax; a row is taken out of it with
  FTS5's 'delete' command and the grams of the text it was indexed with (kept in `case_search`);
- PostgreSQL: a GIN index on `case_search_grams(text)`, an immutable SQL function giving the same
  grams as an array; the query's grams are bound as an array parameter.

`refresh` runs in the transaction that changes the text (intake, corrected facts or parties, a
restored case); `rebuild_sqlite_grams` refills the FTS table from `case_search` (after `db copy`
into SQLite, which copies no virtual table); `fill` (the migration, a bulk load) writes the text of
every case that has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

TABLE = "case_search"
GRAMS = "case_search_grams"  # the SQLite FTS5 table; the PostgreSQL function of the GIN index
MAX_QUERY_GRAMS = 12  # a long query narrows by this many pairs; LIKE confirms the rest
FILL_BATCH = 2_000

CREATE_SQLITE_GRAMS = (
    f"CREATE VIRTUAL TABLE {GRAMS} USING fts5(grams, content='', detail=none, tokenize='ascii')"
)
# Unigrams and bigrams within a line (E'\n' separates the fields); IMMUTABLE so it can be indexed.
CREATE_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {GRAMS}(body text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
SELECT coalesce(array_agg(DISTINCT g), '{{}}') FROM (
  SELECT substr(body, i, 1) AS g FROM generate_series(1, length(body)) AS i WHERE substr(body, i, 1) <> E'\\n'
  UNION
  SELECT substr(body, i, 2) FROM generate_series(1, length(body) - 1) AS i WHERE strpos(substr(body, i, 2), E'\\n') = 0
) AS grams
$$
"""
CREATE_POSTGRESQL_INDEX = f"CREATE INDEX ix_case_search_grams ON {TABLE} USING gin ({GRAMS}(text))"

TEXT_SOURCES_SQL = (
    "SELECT c.number, c.title, (SELECT description FROM case_texts WHERE case_id = c.id) FROM cases c "
    "WHERE c.id = :case_id"
)
NAMES_SQL = "SELECT name FROM parties WHERE case_id = :case_id ORDER BY id"


def case_text(number: str, title: str, description: str | None, names: Iterable[str | None]) -> str:
    """The searchable text of a case: its fields one per line (a match never spans two of them)."""
    return "\n".join([number or "", title or "", description or "", *(name or "" for name in names)])


def _folded(text: str) -> str:
    """ASCII letters in lower case (SQLite's LIKE is case-insensitive for them, and only for them)."""
    return text.lower() if text.isascii() else "".join(ch.lower() if ch.isascii() else ch for ch in text)


def grams(text: str) -> set[str]:
    """The text's single characters and neighbouring pairs within each line."""
    found: set[str] = set()
    for line in text.split("\n"):
        found.update(line)
        found.update(line[i:i + 2] for i in range(len(line) - 1))
    return found


def query_grams(q: str) -> list[str]:
    """The grams a text holding `q` must hold: the character of a one-character query, else up to
    MAX_QUERY_GRAMS of its pairs (spread over the query); empty when `q` is empty."""
    if len(q) <= 1:
        return [q] if q else []
    pairs = list(dict.fromkeys(q[i:i + 2] for i in range(len(q) - 1)))
    if len(pairs) <= MAX_QUERY_GRAMS:
        return pairs
    step = (len(pairs) - 1) / (MAX_QUERY_GRAMS - 1)
    return list(dict.fromkeys(pairs[round(k * step)] for k in range(MAX_QUERY_GRAMS)))


def _token(gram: str) -> str:
    return "".join(f"x{ord(ch):x}" for ch in gram)


def sqlite_tokens(text: str) -> str:
    """The FTS5 document of a text: its (ASCII-folded) grams as hexadecimal tokens."""
    return " ".join(sorted(_token(gram) for gram in grams(_folded(text))))


def sqlite_match(q: str) -> str:
    """The FTS5 query for `q`: every gram as a quoted hexadecimal token (no user text in the syntax)."""
    return " AND ".join(f'"{_token(gram)}"' for gram in query_grams(_folded(q)))


def search_condition(is_sqlite: bool, q: str, params: dict[str, Any], like: str) -> str:
    """SQL (over `cases c`) for the cases whose text holds `q`; `like` is q's escaped LIKE pattern.
    Adds its parameters to params."""
    params["q_like"] = like
    if is_sqlite:
        params["q_grams"] = sqlite_match(q)
        return (f"c.id IN (SELECT s.case_id FROM {TABLE} s WHERE s.case_id IN "
                f"(SELECT rowid FROM {GRAMS} WHERE {GRAMS} MATCH :q_grams) AND s.text LIKE :q_like ESCAPE '\\')")
    params["q_grams"] = query_grams(q)
    return (f"c.id IN (SELECT s.case_id FROM {TABLE} s WHERE {GRAMS}(s.text) @> CAST(:q_grams AS text[]) "
            "AND s.text LIKE :q_like ESCAPE '\\')")


def refresh(tx: Any, case_id: int) -> None:
    """Index the case's text as it is now in `tx` (a RawTransaction); nothing when it has not changed."""
    sources = tx.one(TEXT_SOURCES_SQL, {"case_id": case_id})
    if sources is None:
        return
    text = case_text(*sources, (row[0] for row in tx.all(NAMES_SQL, {"case_id": case_id})))
    old = tx.one(f"SELECT text FROM {TABLE} WHERE case_id = :case_id", {"case_id": case_id})
    if old is not None and old[0] == text:
        return
    if old is None:
        tx.execute(f"INSERT INTO {TABLE} (case_id, text) VALUES (:case_id, :text)", {"case_id": case_id, "text": text})
    else:
        tx.execute(f"UPDATE {TABLE} SET text = :text WHERE case_id = :case_id", {"case_id": case_id, "text": text})
    if tx.is_sqlite:
        if old is not None:
            tx.execute(f"INSERT INTO {GRAMS} ({GRAMS}, rowid, grams) VALUES ('delete', :case_id, :grams)",
                       {"case_id": case_id, "grams": sqlite_tokens(old[0])})
        tx.execute(f"INSERT INTO {GRAMS} (rowid, grams) VALUES (:case_id, :grams)",
                   {"case_id": case_id, "grams": sqlite_tokens(text)})


# --- bulk: the migration, db copy into SQLite, benchmark databases -------------------------------


def _batches(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def missing_texts(cursor: Any, placeholder: str = "?") -> Iterator[tuple[int, str]]:
    """(case id, text) of every case without a row in case_search, by id, read in pages through a
    DB-API cursor (`placeholder` is the driver's parameter mark)."""
    last = 0
    while True:
        cursor.execute(
            "SELECT c.id, c.number, c.title, t.description FROM cases c LEFT JOIN case_texts t ON t.case_id = c.id "
            f"WHERE c.id > {placeholder} AND NOT EXISTS (SELECT 1 FROM {TABLE} s WHERE s.case_id = c.id) "
            f"ORDER BY c.id LIMIT {FILL_BATCH}", (last,))
        cases = cursor.fetchall()
        if not cases:
            return
        first, last = cases[0][0], cases[-1][0]
        cursor.execute(f"SELECT case_id, name FROM parties WHERE case_id BETWEEN {placeholder} AND {placeholder} "
                       "ORDER BY case_id, id", (first, last))
        names: dict[int, list[str]] = {}
        for case_id, name in cursor.fetchall():
            names.setdefault(case_id, []).append(name)
        for case_id, number, title, description in cases:
            yield case_id, case_text(number, title, description, names.get(case_id, ()))


def fill(raw_connection: Any, is_sqlite: bool, on_rows: Callable[[int], None] | None = None) -> int:
    """Write the text (and on SQLite the grams) of every case that has none, through a DB-API
    connection inside the caller's transaction; how many cases were written."""
    cursor, writer = raw_connection.cursor(), raw_connection.cursor()
    mark = "?" if is_sqlite else "%s"
    written = 0
    for batch in _batches(missing_texts(cursor, mark), FILL_BATCH):
        writer.executemany(f"INSERT INTO {TABLE} (case_id, text) VALUES ({mark}, {mark})", batch)
        if is_sqlite:
            writer.executemany(f"INSERT INTO {GRAMS} (rowid, grams) VALUES (?, ?)",
                               [(case_id, sqlite_tokens(text)) for case_id, text in batch])
        written += len(batch)
        if on_rows:
            on_rows(len(batch))
    return written


def rebuild_sqlite_grams(raw_connection: Any) -> int:
    """Refill the SQLite FTS table from case_search (after rows arrived without it); rows indexed."""
    cursor, writer = raw_connection.cursor(), raw_connection.cursor()
    writer.execute(f"INSERT INTO {GRAMS} ({GRAMS}) VALUES ('delete-all')")
    cursor.execute(f"SELECT case_id, text FROM {TABLE} ORDER BY case_id")
    written = 0
    while batch := cursor.fetchmany(FILL_BATCH):
        writer.executemany(f"INSERT INTO {GRAMS} (rowid, grams) VALUES (?, ?)",
                           [(case_id, sqlite_tokens(text)) for case_id, text in batch])
        written += len(batch)
    return written


def has_sqlite_grams(raw_connection: Any) -> bool:
    return raw_connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (GRAMS,)).fetchone() is not None
