"""Hostile pages through the pure parsing functions: a record or a reason, never an exception."""

from __future__ import annotations

import hashlib
import json

import pytest

from crawler.items import ARTICLE_ID_MAX_LENGTH, FetchedPage
from crawler.parsing import fetched
from crawler.parsing.article import parse_article
from crawler.parsing.dates import read_local_date
from crawler.parsing.fetched import parse_fetched
from crawler.parsing.related import extract_related, related_ids
from crawler.plan.seeds import SeedError, parse_id_ranges
from localcopy.site import var_dump
from tests.profiles import profile_from_toml
from tests.test_bad_pages import dump, page, related

URL = "https://en.alalam.ir/news/1900001"
DEEP = "[" * 100_000 + "]" * 100_000
# urllib refuses to split it (an unclosed IPv6 bracket): ValueError, not a URL.
BAD_URL = "http://[bad"


def fetched_page(html: str, content_type: str = "text/html; charset=utf-8") -> FetchedPage:
    return FetchedPage(
        "alalam_en",
        "1900001",
        URL,
        URL,
        200,
        content_type,
        "utf-8",
        html.encode(),
        "2026-11-24T10:00:00+00:00",
    )


@pytest.mark.parametrize("tag", ["div", "span", "blockquote", "b"])
def test_a_hundred_thousand_nested_elements_give_a_record(profile, tag):
    html = page(body=f"<{tag}>" * 100_000 + "deep" + f"</{tag}>" * 100_000)

    result = parse_article(html, URL, profile)

    assert result.article is not None and result.article.title == "A headline"


@pytest.mark.parametrize(
    "embedded",
    [
        var_dump(f'[{{"id":"7","title":"ok"}} ,{{"id":"8","title":{DEEP}}}]'),
        f'<script>var related = [{{"id":"7"}}, {DEEP}];</script>',
        f'<div data-related=\'[{{"id":"7"}},{{"id":"8","x":{DEEP}}}]\'></div>',
    ],
)
def test_a_related_list_nested_too_deep_keeps_what_comes_before_and_says_why(profile, embedded):
    text = page(body="<p>Text.</p>" + embedded)

    related_list = extract_related(text, profile)

    assert related_list.article_ids == ["7"]
    assert not related_list.complete
    assert any("nested too deeply" in warning for warning in related_list.warnings)
    assert related_ids(text, profile) == (["7"], 0)


def test_ids_longer_than_the_archive_keeps_are_never_followed(profile):
    too_long = "1" * (ARTICLE_ID_MAX_LENGTH + 1)
    text = dump([related(id=too_long), related(id=10**300), related(id="0" * 40 + "5")])

    related_list = extract_related(text, profile)

    assert related_list.article_ids == ["5"]
    assert [w.split(":")[0] for w in related_list.warnings] == [
        "related_invalid_id",
        "related_invalid_id",
        "related_id_leading_zeros",
    ]
    assert related_ids(text, profile) == (["5"], 2)


def test_an_id_range_beyond_the_longest_id_is_refused():
    with pytest.raises(SeedError, match="255-digit"):
        parse_id_ranges("1-" + "9" * 256)


def test_a_date_in_year_one_is_no_date_and_a_warning(profile):
    reading = read_local_date(
        "Mon Jan 01, 0001 00:00:00", profile.fields.date_formats, profile.zone
    )

    assert reading.value is None
    assert reading.warning.startswith("implausible_date")


def test_the_record_handed_to_the_archive_is_made_safe(profile):
    entries = [related("NUL \x00 and \ud800", sort=str(10**20), contenttypeid=2**31)]
    html = page(body="<p>Text.</p>" + dump(entries))

    result = parse_fetched(fetched_page(html, "text/html; " + "x" * 300), profile)

    [link] = result.article.related
    assert (link.title, link.sort, link.content_type_id) == ("NUL  and \ufffd", None, None)
    assert [w.split(":")[0] for w in result.warnings] == [
        "text_too_long",
        "unsafe_text",
        "number_out_of_range",
        "number_out_of_range",
    ]


def test_a_parser_error_of_any_kind_drops_the_page_with_its_reason(profile, monkeypatch):
    def broken_parser(*_args, **_kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(fetched, "parse_article", broken_parser)

    result = parse_fetched(fetched_page(page()), profile)

    assert result.article is None
    assert result.drop_reason == "parser_error: RecursionError: maximum recursion depth exceeded"


@pytest.mark.parametrize(
    ("html", "warning"),
    [
        (page(body="<p>Text.</p>" + dump([related(pic=BAD_URL)])), "related_bad_media_url"),
        (page(body=f'<p>Text.</p><img src="{BAD_URL}">'), "image_bad_url"),
        (
            page(
                head='<script type="application/ld+json">'
                f'{{"@type": "NewsArticle", "image": "{BAD_URL}"}}</script>'
            ),
            "image_bad_url",
        ),
    ],
    ids=["related_media", "body_image", "json_ld_image"],
)
def test_a_url_that_cannot_be_split_is_left_out_and_the_page_kept(profile, html, warning):
    result = parse_article(html, URL, profile)

    assert result.article is not None and result.article.images == []
    assert warning in [w.split(":")[0] for w in result.warnings]


def test_a_related_link_that_cannot_be_split_is_not_followed():
    profile = profile_from_toml(
        "[related]\nscript_json = [{ selector = 'script#data', path = 'items', url = 'href' }]"
    )
    items = [{"href": BAD_URL, "title": "Bad"}, {"href": "/news/good", "title": "Good"}]
    text = f'<html><body><script id="data">{json.dumps({"items": items})}</script></body></html>'

    assert extract_related(text, profile).article_ids == ["good"]
    assert related_ids(text, profile) == (["good"], 1)


def test_script_json_nested_too_deep_is_unreadable_not_an_error():
    profile = profile_from_toml(
        "[related]\nscript_json = [{ selector = 'script#data', path = 'items' }]"
    )
    text = f'<html><body><script id="data">{{"items": {DEEP}}}</script></body></html>'

    related_list = extract_related(text, profile)

    assert not related_list.complete
    assert "related_unreadable: script JSON is nested too deeply" in related_list.warnings
    assert related_ids(text, profile) == ([], 0)


def test_a_json_ld_block_nested_too_deep_is_skipped_for_the_next(profile):
    head = (
        f'<script type="application/ld+json">{DEEP}</script>'
        '<script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "From JSON-LD"}</script>'
    )

    result = parse_article(page(title="", head=head), URL, profile)

    assert result.article is not None and result.article.title == "From JSON-LD"


def test_a_json_ld_article_inside_hundreds_of_nested_lists_is_found(profile):
    nested = "[" * 500 + '{"@type": "NewsArticle", "headline": "From JSON-LD"}' + "]" * 500
    head = f'<script type="application/ld+json">{nested}</script>'

    result = parse_article(page(title="", head=head), URL, profile)

    assert result.article is not None and result.article.title == "From JSON-LD"


def test_a_javascript_literal_nested_too_deep_is_cut_short_not_an_error(profile):
    text = page(body=f"<p>Text.</p><script>var related = [{{id: 7, title: 'a'}}, {DEEP}];</script>")

    related_list = extract_related(text, profile)

    assert not related_list.complete
    assert any("nested too deeply" in warning for warning in related_list.warnings)
    assert related_ids(text, profile) == ([], 0)


def json_ld(article: str) -> str:
    return f'<script type="application/ld+json">{article}</script>'


def test_a_json_ld_headline_with_a_lone_surrogate_is_archived_with_the_replacement_char(profile):
    head = json_ld('{"@type": "NewsArticle", "headline": "A \\ud800 headline"}')

    result = parse_fetched(fetched_page(page(title="", head=head)), profile)

    assert result.article is not None and result.article.title == "A \ufffd headline"


def test_the_content_hash_is_that_of_the_title_and_body_as_stored(profile):
    head = json_ld('{"@type": "NewsArticle", "articleBody": "NUL\\u0000 in the body."}')
    # No body in the markup: the body is JSON-LD's articleBody, NUL and all.
    html = f'<html lang="en"><head>{head}</head><body><h1 class="news-title">A headline</h1>'

    article = parse_fetched(fetched_page(html), profile).article

    assert article.body == "NUL in the body."
    stored = f"{article.title}\n\n{article.body}".encode()
    assert article.content_hash == hashlib.sha256(stored).hexdigest()
