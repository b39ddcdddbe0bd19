"""Why PostgreSQL searches every article with one configuration: the measurement.

    python -m bench.search_configs [POSTGRESQL_URL]   # default postgresql://127.0.0.1:5432/test

Part 1: the same articles and queries on SQLite's FTS5 (as the archive builds
it: Porter over unicode61, ``remove_diacritics 2``), on PostgreSQL with
``english`` for every article (as the archive does), and on PostgreSQL with
each article's own language's configuration, the query read under every
configuration used and OR-ed. A row marked ``<--`` is one where PostgreSQL
per language would find other articles than SQLite (``english too``: so does
``english``, the archive's configuration).

Part 2: the letters of the Latin, Greek and Cyrillic blocks that FTS5's
tokenizer and PostgreSQL's ``unaccent`` read differently (``unaccent`` being
the way PostgreSQL could take accents off as FTS5 does).

Nothing is left behind: PostgreSQL's work is in a temporary table and a
transaction rolled back.
"""

from __future__ import annotations

import sqlite3
import sys
import unicodedata

import psycopg

ARTICLES = {  # id: (PostgreSQL configuration of its language, text)
    "de-regierung": ("german", "Die Regierungen der Länder einigten sich."),
    "de-haus": ("german", "Das Haus brannte nieder."),
    "de-linke": ("german", "Die Linke stimmte nicht zu."),
    "fr-elections": ("french", "Les élections présidentielles ont eu lieu."),
    "ru-president": ("russian", "Визит президента в Тегеран отменён."),
    "es-gobierno": ("spanish", "Los gobiernos firmaron el acuerdo."),
    "en-bombers": ("english", "Russian bombers flew from Hamedan."),
    "en-nation": ("english", "The nation voted."),
}
QUERIES = [
    "Regierung", "Regierungen", "Häuser", "Haus", "nicht", '"Die Linke"', "élection",
    "election", "президент", "президента", "gobierno", "acuerdos", "bomber", "nations",
]  # fmt: skip
_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_BLOCKS = [(0xC0, 0x250), (0x370, 0x400), (0x400, 0x530), (0x1E00, 0x2000)]


def compare_configurations(
    pg: psycopg.Connection,
) -> list[tuple[str, set[str], set[str], set[str]]]:
    """Per query: the articles FTS5, PostgreSQL's english and per-language ones find."""
    lite = sqlite3.connect(":memory:")
    lite.execute(f"CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, body, {_TOKENIZE})")
    lite.executemany("INSERT INTO t VALUES (?, ?)", [(k, v[1]) for k, v in ARTICLES.items()])
    pg.execute("CREATE TEMPORARY TABLE t (id text, config regconfig, body text)")
    for key, (config, body) in ARTICLES.items():
        pg.execute("INSERT INTO t VALUES (%s, %s, %s)", (key, config, body))
    configs = sorted({config for config, _ in ARTICLES.values()})
    rows = []
    for query in QUERIES:
        match = query if query.startswith('"') else f'"{query}"'
        fts5 = {row[0] for row in lite.execute("SELECT id FROM t WHERE t MATCH ?", (match,))}
        english = _postgresql(pg, query, "'english'", ["english"])
        own = _postgresql(pg, query, "config", configs)
        rows.append((query, fts5, english, own))
    return rows


def _postgresql(pg: psycopg.Connection, query: str, config: str, configs: list[str]) -> set[str]:
    parse = "phraseto_tsquery" if query.startswith('"') else "plainto_tsquery"
    tsquery = " || ".join(f"{parse}('{name}', %(q)s)" for name in configs)
    statement = f"SELECT id FROM t WHERE to_tsvector({config}, body) @@ ({tsquery})"
    return {row[0] for row in pg.execute(statement, {"q": query.strip('"')})}


def compare_accents(pg: psycopg.Connection) -> tuple[int, dict[str, tuple[str, str]]]:
    """The letters FTS5 and `unaccent` read differently: letter -> (FTS5's, unaccent's)."""
    letters = [
        chr(code)
        for start, end in _BLOCKS
        for code in range(start, end)
        if unicodedata.category(chr(code)).startswith("L")
    ]
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE VIRTUAL TABLE t USING fts5(b, tokenize='unicode61 remove_diacritics 2')")
    lite.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    pg.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    differ = {}
    for letter in letters:
        word = f"x{letter}x"  # a letter inside a word, as the tokenizers meet it
        lite.execute("DELETE FROM t")
        lite.execute("INSERT INTO t VALUES (?)", (word,))
        fts5 = next(row[0] for row in lite.execute("SELECT term FROM v"))
        row = pg.execute("SELECT lower(unaccent(%s))", (word,)).fetchone()
        unaccented = row[0] if row else word
        if fts5 != unaccented:
            differ[letter] = (fts5[1:-1], unaccented[1:-1])
    return len(letters), differ


def main(argv: list[str]) -> int:
    url = argv[0] if argv else "postgresql://127.0.0.1:5432/test"
    with psycopg.connect(url) as pg:  # one transaction, rolled back below
        rows = compare_configurations(pg)
        letters, differ = compare_accents(pg)
        pg.rollback()
    print(
        f"{'query':14} | {'SQLite FTS5':26} | {'PostgreSQL english':26} | PostgreSQL per language"
    )
    for query, fts5, english, own in rows:
        cells = [", ".join(sorted(found)) or "-" for found in (fts5, english, own)]
        mark = "" if own == fts5 else "  <--" if english == fts5 else "  <-- (english too)"
        print(f"{query:14} | {cells[0]:26} | {cells[1]:26} | {cells[2]}{mark}")
    examples = list(differ.items())[:6]
    print(f"\n{len(differ)} of {letters} Latin, Greek and Cyrillic letters read differently by")
    print("FTS5 and unaccent (FTS5's / unaccent's), e.g.", end=" ")
    print(", ".join(f"{letter} ({fts5} / {unaccented})" for letter, (fts5, unaccented) in examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
