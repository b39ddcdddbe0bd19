"""Search per language: the latency of English, Arabic and Persian queries, in one run.

An archive of made-up articles, as many in each language, stored through the
archive's writer (so each is indexed as its language reads it); then each
language's queries, the spellings a reader types, through the storage API the
CLI uses. The figures are ratios to English on the same archive at the same
time, so they hold on a shared machine; beside them, what reading a text for
the index (`search_text.index_text`) costs an article in each language.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.save import ParsedPage
from crawler.archive.search import SearchFilters
from crawler.archive.search_query import parse_query
from crawler.archive.search_text import index_text
from crawler.archive.store import ArchiveStore
from crawler.items import Article, FetchedPage
from crawler.parsing.article import ParseResult, content_hash

# Words each language's articles are made of, in the spellings pages use (with and
# without short vowels, tatweel, hamza; Persian with the non-joiner).
WORDS = {
    "en": [
        "president",
        "minister",
        "Iran",
        "talks",
        "meeting",
        "foreign",
        "ministry",
        "economy",
        "economic",
        "trade",
        "security",
        "council",
        "officials",
        "said",
        "government",
        "statement",
        "agency",
        "report",
        "visit",
        "region",
        "agreement",
        "parliament",
        "delegation",
        "school",
        "library",
        "university",
        "capital",
        "province",
    ],
    "ar": [
        "الرئيس",
        "الرَّئِيس",
        "الرئيـــس",
        "رئيس",
        "إيران",
        "أيران",
        "ايران",
        "مدرسة",
        "مدرسه",
        "وزارة",
        "الخارجية",
        "الاقتصاد",
        "اقتصادي",
        "التجارة",
        "مجلس",
        "الأمن",
        "المسؤولين",
        "قال",
        "الحكومة",
        "بيان",
        "وكالة",
        "تقرير",
        "زيارة",
        "المنطقة",
        "اتفاق",
        "البرلمان",
        "وفد",
        "جامعة",
        "العاصمة",
        "محافظة",
        "٢٠١٦",
        "والرئيس",
    ],
    "fa": [
        "رئیس\u200cجمهور",
        "رئیس",
        "ایران",
        "وزیر",
        "امور",
        "خارجه",
        "اقتصاد",
        "اقتصادی",
        "تجارت",
        "شورای",
        "امنیت",
        "مقامات",
        "گفت",
        "دولت",
        "بیانیه",
        "خبرگزاری",
        "گزارش",
        "سفر",
        "منطقه",
        "توافق",
        "مجلس",
        "هیئت",
        "مدرسه",
        "کتابخانه",
        "کتاب\u200cها",
        "دانشگاه",
        "پایتخت",
        "استان",
        "می\u200cیابد",
        "۱۳۹۵",
    ],
}
# The Arabic and Persian queries readers type that search was made to answer: timed here,
# and tests/test_search_languages.py states the spellings each must find.
READER_QUERIES = {
    "ar": ["الرئيس", "ايران", "مدرسة", "2016"],
    "fa": ["كتابخانه"],
}
QUERIES = {
    "en": ["president", "Iran", '"foreign ministry"', "econ*", "talks OR meeting", "library"],
    "ar": [*READER_QUERIES["ar"], '"وزارة الخارجية"', "اقتصاد*"],
    "fa": ["ایران", *READER_QUERIES["fa"], "رئیس جمهور", '"امور خارجه"', "اقتصاد*", "کتاب"],
}
BATCH = 200
ROUNDS = 5


def made_up_page(
    site: str, article_id: str, language: str, title: str, body: str, html: bytes = b""
) -> ParsedPage:
    """An article of `language` as the writer takes it, with no page to parse it from."""
    url = f"https://{site.replace('_', '-')}.test/{article_id}"
    article = Article(
        site, article_id, url, language, title, "article", None, None, None, body,
        word_count=len(body.split()), content_hash=content_hash(title, body),
    )  # fmt: skip
    page = FetchedPage(
        site, article_id, url, url, 200, "text/html", "utf-8", html, "2026-12-01T10:00:00+00:00"
    )
    return ParsedPage(page, ParseResult(article))


def _article(language: str, number: int, rng: random.Random) -> ParsedPage:
    words = WORDS[language]
    title = " ".join(rng.choices(words, k=8))
    body = "\n\n".join(" ".join(rng.choices(words, k=40)) for _ in range(6))
    return made_up_page("bench_languages", f"{language}-{number}", language, title, body)


def fill(db: str, per_language: int) -> float:
    """The archive of `per_language` articles a language; the seconds it took to store."""
    ensure_current(db)
    engine = create_archive_engine(db, writer=True)
    store = ArchiveStore(engine)
    rng = random.Random(17)
    started = time.perf_counter()
    for language in WORDS:
        pages = [_article(language, n, rng) for n in range(per_language)]
        for start in range(0, len(pages), BATCH):
            store.save(pages[start : start + BATCH])
    engine.dispose()
    return time.perf_counter() - started


def latencies(db: str) -> dict[str, Any]:
    """Each language's queries, `ROUNDS` times: median and max ms, and hits."""
    engine = create_archive_engine(db)
    store = ArchiveStore(engine)
    figures: dict[str, Any] = {}
    for language, queries in QUERIES.items():
        times, hits = [], []
        for _ in range(ROUNDS):
            for text in queries:
                started = time.perf_counter()
                found = store.search(parse_query(text), SearchFilters(limit=20))
                times.append(1000 * (time.perf_counter() - started))
                hits.append(len(found))
        figures[language] = {
            "queries": len(queries),
            "median_ms": round(statistics.median(times), 2),
            "max_ms": round(max(times), 1),
            "queries_with_hits": sum(1 for count in hits[: len(queries)] if count),
        }
    engine.dispose()
    english = figures["en"]["median_ms"]
    for language in ("ar", "fa"):
        figures[language]["ratio_to_en"] = round(figures[language]["median_ms"] / english, 2)
    return figures


def normalising_cost(per_language: int = 200) -> dict[str, Any]:
    """CPU per article (title and body) of `index_text`, each language, and ratio to English."""
    rng = random.Random(17)
    figures: dict[str, Any] = {}
    for language in WORDS:
        articles = [_article(language, n, rng).result.article for n in range(per_language)]
        started = time.process_time()
        for article in articles:
            assert article is not None
            index_text(article.title, language)
            index_text(article.body, language)
        figures[language] = {"us": round(1e6 * (time.process_time() - started) / per_language)}
    english = max(1, figures["en"]["us"])
    for language in ("ar", "fa"):
        figures[language]["ratio_to_en"] = round(figures[language]["us"] / english, 1)
    return figures


def measure(databases: dict[str, str], per_language: int) -> dict[str, Any]:
    """The figures on each database (name: URL), `per_language` articles a language."""
    results: dict[str, Any] = {"articles_per_language": per_language}
    for name, db in databases.items():
        stored = fill(db, per_language)
        results[name] = {"store_s": round(stored, 1), **latencies(db)}
    results["normalising"] = normalising_cost()
    return results
