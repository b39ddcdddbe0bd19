"""Arabic and Persian searched as their readers expect, on SQLite and on PostgreSQL.

Each article below is stored through the archive's writer; each query is the
issue's own, and finds the articles it names and no other. English searches
find what they found before, and words of other languages are found alike on
both databases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bench.extraction import real_pages
from bench.search_languages import READER_QUERIES, made_up_page
from crawler.archive.save import ParsedPage
from crawler.archive.search import SearchFilters
from crawler.archive.search_query import parse_query
from crawler.items import FetchedPage
from crawler.parsing.article import parse_article
from crawler.sites import get_profile

if TYPE_CHECKING:
    from crawler.archive.store import ArchiveStore

# article_id: (language, title, body). Made up for these tests; each body holds one way of
# writing the word a query below looks for, and nothing the other queries look for.
ARTICLES = {
    "harakat": ("ar", "خبر أول", "وصل الرَّئِيس إلى المدينة صباحا."),
    "tatweel": ("ar", "خبر ثان", "استقبل الرئيـــس الوفد في القصر."),
    "hamza-below": ("ar", "خبر ثالث", "زار الوفد إيران في الربيع."),
    "hamza-above": ("ar", "خبر رابع", "قال الوزير إن أيران تفاوض."),
    "ta-marbuta": ("ar", "خبر خامس", "افتتحت مدرسه جديدة في الحي."),
    "arabic-digits": ("ar", "خبر سادس", "جرت الانتخابات في عام ٢٠١٦ بهدوء."),
    "persian-yeh": ("fa", "خبر فارسی", "سفر وزیر به ایران لغو شد."),
    "persian-kaf": ("fa", "خبر دیگر", "کتابخانه ملی امروز باز شد."),
    "unrelated": ("ar", "خبر سابع", "هطلت أمطار غزيرة على الساحل."),
    "hamedan": ("en", "Russian bombers at Hamedan", "Russian bombers flew from Hamedan in 2015."),
    "talks": ("en", "Talks resumed", "Officials met in Geneva and talks resumed."),
}

# The articles each of the readers' queries finds (bench.search_languages times them).
FINDS = {
    "الرئيس": {"harakat", "tatweel"},  # diacritics; tatweel
    "ايران": {"hamza-below", "hamza-above", "persian-yeh"},  # alef forms; Persian yeh
    "مدرسة": {"ta-marbuta"},  # ta marbuta as heh
    "2016": {"arabic-digits"},  # Arabic-Indic digits
    "كتابخانه": {"persian-kaf"},  # typed with the Arabic kaf
}
QUERIES = [
    # (query, the articles it finds): the readers' queries, each on its own
    *((query, FINDS[query]) for queries in READER_QUERIES.values() for query in queries),
    ("رئيس", {"harakat", "tatweel"}),  # without the article
    ("bombers", {"hamedan"}),  # English as before: Porter stemming
    ("bomber", {"hamedan"}),
    ('"talks resumed"', {"talks"}),
    ("Hamed*", {"hamedan"}),
    ("زلزال", set()),  # a word no article holds in any form
]


def _page(article_id: str, language: str, title: str, body: str) -> ParsedPage:
    return made_up_page("search_test", article_id, language, title, body, b"<html></html>")


@pytest.fixture
def archive(store: ArchiveStore) -> ArchiveStore:
    store.save([_page(key, *values) for key, values in ARTICLES.items()])
    return store


def found(store: ArchiveStore, query: str) -> set[str]:
    return {hit.article_id for hit in store.search(parse_query(query), SearchFilters(limit=50))}


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_a_query_finds_every_spelling_of_its_word_and_nothing_else(archive, query, expected):
    assert found(archive, query) == expected


def test_an_arabic_snippet_shows_the_words_as_written_with_the_match_marked(archive):
    [hit] = archive.search(parse_query("مدرسة"), SearchFilters())

    assert hit.snippet == "افتتحت \x02مدرسه\x03 جديدة في الحي."


def test_a_snippet_keeps_the_diacritics_the_page_wrote(archive):
    hits = archive.search(parse_query("رئيس"), SearchFilters())

    assert {hit.snippet for hit in hits} == {
        "وصل \x02الرَّئِيس\x03 إلى المدينة صباحا.",
        "استقبل \x02الرئيـــس\x03 الوفد في القصر.",
    }


def test_an_english_snippet_is_the_engines_own_as_before(archive):
    [hit] = archive.search(parse_query("bomber"), SearchFilters())

    assert "Russian \x02bombers\x03" in hit.snippet


def test_an_excluded_arabic_word_is_excluded_in_every_spelling(archive):
    assert found(archive, "الوفد -إيران") == {"tatweel"}


def test_a_persian_compound_is_found_by_its_parts(store):
    store.save([_page("compound", "fa", "خبر", "رئیس‌جمهور می‌یابد کتاب‌ها")])

    assert found(store, "رئيس جمهور") == {"compound"}
    assert found(store, "کتاب") == {"compound"}  # the plural after a non-joiner
    assert found(store, "یابد") == {"compound"}  # the verbal prefix after a non-joiner


def test_a_new_reading_of_an_unchanged_text_is_indexed_again(store):
    """A re-parse that finds the article's language changes what the index reads."""
    store.save([_page("relabelled", "ur", "خبر", "الرئيس")])
    assert found(store, "رئيس") == set()  # Urdu text is folded, not stemmed as Arabic

    store.save([_page("relabelled", "ar", "خبر", "الرئيس")], reparse=True)

    assert found(store, "رئيس") == {"relabelled"}


# Other languages: one configuration for every article (PostgreSQL's `english`, FTS5's
# Porter), not each language's own, so both databases find the same articles (README).
# A language's own configuration would not: PostgreSQL's Spanish Snowball reads
# `gobiernos` as gobi and `gobierno` as gobiern, its German drops `nicht` as a stop word,
# and `Regierung` and `президент` would find what FTS5 does not.
OTHER_LANGUAGES = {
    "de": ("de", "Regierungen in München", "Die Regierungen stimmten nicht zu."),
    "fr": ("fr", "Les élections", "Les élections présidentielles ont eu lieu."),
    "es": ("es", "Acuerdo", "Los gobiernos firmaron el acuerdo."),
    "ru": ("ru", "Визит отменён", "Визит президента в Тегеран отменён."),
}
OTHER_QUERIES = [
    ("gobierno", {"es"}),  # the plural's s, as the English stemmers take it off
    ("nicht", {"de"}),  # a German stop word is a word like any other
    ("Regierungen", {"de"}),
    ("Regierung", set()),  # German endings are not taken off, on either database
    ("München", {"de"}),
    ("Élection", {"fr"}),
    ("президента", {"ru"}),
    ("президент", set()),  # nor Russian ones
    ("отменён", {"ru"}),
]


@pytest.mark.parametrize(("query", "expected"), OTHER_QUERIES, ids=[q for q, _ in OTHER_QUERIES])
def test_a_word_of_another_language_is_found_alike_on_both_databases(store, query, expected):
    store.save([_page(key, *values) for key, values in OTHER_LANGUAGES.items()])

    assert found(store, query) == expected


# A real page: arabic.cnn.com (fixtures/real_pages, with its source), read by the generic
# profile. It writes الرئيس, للأسلحة and أسلحة, الاسلام and والإسلامية.
REAL_ARABIC = [
    ("رئيس", True),
    ("اسلحه", True),  # without the hamza, with heh for ta marbuta
    ("إسلام", True),
    ("٢٠١٣", False),  # the page gives no year in its text
    ("زلزال", False),
]


@pytest.mark.parametrize(("query", "finds"), REAL_ARABIC, ids=[q for q, _ in REAL_ARABIC])
def test_a_real_arabic_page_is_found_by_its_words_in_other_spellings(store, query, finds):
    [page] = [page for page in real_pages() if page.name == "arabic.cnn.com"]
    url = page.expected["url"]
    result = parse_article(page.html, url, get_profile("generic"))
    assert result.article is not None and result.article.language == "ar"
    fetched = FetchedPage(
        result.article.site, result.article.article_id, url, url, 200, "text/html", "utf-8",
        page.html.encode(), "2026-12-01T10:00:00+00:00",
    )  # fmt: skip
    store.save([ParsedPage(fetched, result)])

    assert found(store, query) == ({result.article.article_id} if finds else set())
