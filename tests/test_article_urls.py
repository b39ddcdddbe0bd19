"""Article URLs in any script: one form whether a page writes them percent-encoded or as
Unicode (an IRI), harmless oddities of a path mended, ids long enough for real slugs."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawler.parsing.article import parse_article
from crawler.parsing.urls import canonical_url
from crawler.sites import get_profile
from tests.profiles import profile_from_toml

# "poetry-of-the-president" in Arabic, as a page writes it in a link and as a reader sees it.
ENCODED = "/news/898682/%D8%B4%D8%B9%D8%B1-%D8%A7%D9%84%D8%B1%D8%A6%D9%8A%D8%B3"
IRI = "/news/898682/شعر-الرئيس"
PAGE = "<html><head><title>شعر الرئيس</title></head><body><p>نص.</p></body></html>"


@pytest.mark.parametrize("path", [ENCODED, ENCODED.lower(), IRI])
def test_a_percent_encoded_and_a_unicode_path_are_one_url(path):
    assert canonical_url(f"https://News.Test{path}") == f"https://news.test{IRI}"


def test_the_generic_profile_keeps_a_percent_encoded_arabic_article_under_one_id():
    generic = get_profile("generic")

    encoded = parse_article(PAGE, f"https://news.test{ENCODED}", generic).article
    iri = parse_article(PAGE, f"https://news.test{IRI}", generic).article

    assert encoded.article_id == iri.article_id == IRI.removeprefix("/")
    assert encoded.url == iri.url == f"https://news.test{IRI}"


def test_a_doubled_slash_and_a_raw_apostrophe_are_mended_not_fatal():
    url = "https://news.test//news/2024//it’s-a-story"

    article = parse_article(PAGE, url, get_profile("generic")).article

    assert article.article_id == "news/2024/it’s-a-story"


def test_a_real_length_arabic_slug_fits_the_id_though_its_percent_encoding_would_not():
    # The headline of the arabic.cnn.com page in fixtures/real_pages, twice over.
    slug = "-".join(["معارضون", "يسيطرون", "على", "مخازن", "للصواريخ", "بريف", "دمشق"] * 2)
    url = "https://news.test/news/2013/8/3/" + quote(slug)

    article = parse_article(PAGE, url, get_profile("generic")).article

    assert len(quote(slug)) > 255
    assert article.article_id == "news/2013/8/3/" + slug


def test_an_id_pattern_reads_the_id_from_either_form():
    profile = profile_from_toml(
        "",
        head='name = "ar_site"\nbase_url = "https://news.test"\n'
        "[article]\nurl = '/اخبار/{id}'\nid_pattern = '^/اخبار/([^/]+)$'\n",
    )

    encoded = profile.article_id_from_url("https://news.test/%D8%A7%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B4")

    assert encoded == profile.article_id_from_url("https://news.test/اخبار/ش") == "ش"


def test_what_an_iri_may_not_hold_stays_percent_encoded():
    # A right-to-left mark, a space, and windows-1256 bytes that are no UTF-8.
    url = "https://news.test/a%E2%80%8Fb/c d/%C8%E4%e6"

    assert canonical_url(url) == "https://news.test/a%E2%80%8Fb/c%20d/%C8%E4%E6"


def test_a_slug_id_in_a_pages_data_is_one_id_in_either_form_but_never_mended():
    generic = get_profile("generic")

    assert generic.canonical_id("news/%d8%b4") == generic.canonical_id("news/ش") == "news/ش"
    assert generic.canonical_id("has space") is None
    assert generic.canonical_id("../admin") is None
