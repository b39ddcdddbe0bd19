"""Slug ids, authors and field sources survive storage: random batches against a model.

On both databases, batches of articles with slug ids up to the column's
bound, random authors and field sources (re-saved, edited, repeated within a
batch) are stored; what the archive gives back must be what an independent
model says it holds: the last record saved for each id.
"""

from __future__ import annotations

import dataclasses
import random
import string

from crawler.archive.store import ParsedPage
from crawler.items import ARTICLE_ID_MAX_LENGTH, Article, FetchedPage
from crawler.parsing.article import ParseResult, content_hash

SOURCES = ("css", "json-ld", "opengraph", "title-tag", "trafilatura", "htmldate")
FIELDS = ("title", "published", "body", "authors", "images", "language")


def slug(rng: random.Random) -> str:
    size = rng.choice((1, 12, 60, ARTICLE_ID_MAX_LENGTH))
    alphabet = string.ascii_lowercase + string.digits + "-"
    head = rng.choice(string.ascii_lowercase)
    text = head + "".join(rng.choice(alphabet) for _ in range(size - 1))
    if size > 20 and rng.random() < 0.5:
        text = "2024/05/12/" + text[: size - 11]
    return text


def record(rng: random.Random, article_id: str, n: int) -> Article:
    title = f"Title {article_id[:20]} {n}"
    body = " ".join(rng.choice(("Ein", "Satz", "naïve", "“quoted”", "word")) for _ in range(8))
    return Article(
        site="slug_site",
        article_id=article_id,
        url=f"https://slugs.test/{article_id}",
        language="de",
        title=title,
        kind="article",
        published_at=None,
        published_local=rng.choice((None, "2024-05-12", "2024-05-12T10:00:00+02:00")),
        lead=body,
        body=body,
        word_count=len(body.split()),
        content_hash=content_hash(title, body),
        authors=rng.sample(["Ana Pérez", "李雷", "J. Smith", "Συντάκτης"], rng.randint(0, 3)),
        field_sources={f: rng.choice(SOURCES) for f in rng.sample(FIELDS, rng.randint(1, 6))},
    )


def page(article: Article, second: int) -> ParsedPage:
    fetched = FetchedPage(
        article.site,
        article.article_id,
        article.url,
        article.url,
        200,
        "text/html",
        "utf-8",
        b"<html></html>",
        f"2026-11-30T10:00:{second:02d}+00:00",
    )
    return ParsedPage(fetched, ParseResult(article))


BOOKKEEPING = {"version", "first_seen_at", "fetched_at", "changed_at"}


def comparable(article: Article) -> dict:
    return {k: v for k, v in dataclasses.asdict(article).items() if k not in BOOKKEEPING}


def test_random_batches_of_slug_articles_are_stored_as_the_model_says(store):
    rng = random.Random(12)
    ids = [slug(rng) for _ in range(20)]
    model: dict[str, Article] = {}
    for batch_number in range(6):
        batch = []
        for n in range(rng.randint(1, 8)):
            article = record(rng, rng.choice(ids), batch_number * 10 + n)
            batch.append(page(article, batch_number))
            model[article.article_id] = article  # a later one in a batch wins
        store.save(batch)

    stored = {a.article_id: a for a in store.iter_articles(site="slug_site")}

    assert set(stored) == set(model)
    for article_id, expected in model.items():
        assert comparable(stored[article_id]) == comparable(expected)
