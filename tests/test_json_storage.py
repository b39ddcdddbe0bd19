"""JSON columns hold readable UTF-8 text: random batches against a model, on both databases."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

import pytest
from sqlalchemy import text

from crawler.archive.store import ParsedPage
from crawler.items import Article, FetchedPage
from crawler.parsing.article import ParseResult

SITE = "alalam_en"
# Quotes and dashes of news text, Persian and Arabic, an emoji, JSON's own
# specials, a backslash before a "u" and a control character.
PIECES = [
    "Iran",
    "’s",
    "“air base”",
    "\u2013",  # an en dash
    "تهران",
    "العالم",
    "🚀",
    '"',
    "\\u2019",
    "\\",
    "\t",
    "\x01",
    " ",
]
# A lone surrogate cannot be UTF-8 (nor stored as text): the record's boundary
# replaces it in the article, but a warning may still quote one.
WARNING_PIECES = [*PIECES, "\ud800"]


def random_text(rng: random.Random, pieces: list[str] = PIECES) -> str:
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))


def page(rng: random.Random, article_id: str, moment: int) -> ParsedPage:
    subheadings = [random_text(rng) for _ in range(rng.randint(0, 3))]
    body = "\n\n".join([*subheadings, f"Paragraph {rng.random()}"])
    title = f"Article {article_id}"
    article = Article(
        site=SITE,
        article_id=article_id,
        url=f"https://en.alalam.ir/news/{article_id}",
        language="en",
        title=title,
        kind="article",
        published_at=None,
        published_local=None,
        lead=None,
        body=body,
        subheadings=subheadings,
        content_hash=hashlib.sha256(f"{title}\n\n{body}".encode("utf-8", "replace")).hexdigest(),
        word_count=len(body.split()),
    )
    warnings = [f"note: {random_text(rng, WARNING_PIECES)}" for _ in range(rng.randint(0, 2))]
    fetched = FetchedPage(
        SITE,
        article_id,
        article.url,
        article.url,
        200,
        "text/html",
        "utf-8",
        b"<html></html>",
        f"2026-11-24T10:{moment // 60 % 60:02d}:{moment % 60:02d}+00:00",
    )
    return ParsedPage(fetched, ParseResult(article, None, warnings))


def stored_json(url_engine: Any, table: str, column: str) -> dict[str, str]:
    with url_engine.connect() as conn:
        rows = conn.execute(text(f"SELECT article_id, CAST({column} AS TEXT) FROM {table}"))
        return {article_id: value for article_id, value in rows}


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def has_lone_surrogate(value: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def assert_readable(stored: str, expected: Any) -> None:
    """The same JSON, with every character UTF-8 can hold written as itself, not escaped."""
    assert json.loads(stored) == expected
    texts = strings(expected)
    if any(has_lone_surrogate(s) for s in texts):
        return  # not UTF-8: kept as JSON escapes, which lose nothing
    for character in {c for s in texts for c in s if ord(c) >= 0x80}:
        assert character in stored, (character, stored)


@pytest.mark.parametrize("seed", [1, 2])
def test_json_columns_are_stored_as_readable_utf8(store, seed):
    rng = random.Random(seed)
    model_subheadings: dict[str, list[str]] = {}
    model_warnings: dict[str, list[str]] = {}
    moment = 0
    for _ in range(6):
        batch = []
        for _ in range(rng.randint(1, 8)):
            moment += 1
            parsed = page(rng, str(rng.randint(1, 12)), moment)
            batch.append(parsed)
        store.save(batch)
        for parsed in batch:  # a later page of the same id in a batch wins
            assert parsed.result.article is not None
            model_subheadings[parsed.page.article_id] = parsed.result.article.subheadings
            model_warnings[parsed.page.article_id] = parsed.result.warnings

    subheadings = stored_json(store.engine, "articles", "subheadings")
    warnings = stored_json(store.engine, "raw_pages", "warnings")

    assert set(subheadings) == set(model_subheadings) == set(warnings)
    for article_id, expected in model_subheadings.items():
        assert_readable(subheadings[article_id], expected)
        assert_readable(warnings[article_id], model_warnings[article_id])
