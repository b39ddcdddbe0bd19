"""The related-article list, read from the raw page text in every shape SOURCE-SITE.md lists.

Each case is a saved page in fixtures/alalam_en/related/ beside the record it must
give: the ids to follow, whether the list is complete, and the warnings raised.
"""

from __future__ import annotations

import json

import pytest

from crawler.parsing.related import extract_related, related_ids
from localcopy.site import var_dump
from tests.conftest import FIXTURES, seed_html

CASES = sorted(
    p.name.removesuffix(".html") for p in (FIXTURES / "alalam_en" / "related").glob("*.html")
)


def _load(case: str) -> tuple[str, dict]:
    folder = FIXTURES / "alalam_en" / "related"
    expected = json.loads((folder / f"{case}.expected.json").read_text("utf-8"))
    return (folder / f"{case}.html").read_text("utf-8"), expected


@pytest.mark.parametrize("case", CASES)
def test_related_list_variant(case, profile):
    text, expected = _load(case)

    related = extract_related(text, profile)

    assert related.article_ids == expected["article_ids"]
    assert related.complete is expected["complete"]
    assert [w.split(":", 1)[0] for w in related.warnings] == expected["warnings"]
    for article_id, title in expected.get("titles", {}).items():
        assert next(link.title for link in related.links if link.article_id == article_id) == title


def test_every_variant_has_a_fixture():
    assert len(CASES) >= 12, CASES


def test_positions_follow_page_order_after_invalid_entries_are_skipped(profile):
    text, _ = _load("invalid-ids")

    assert [link.position for link in extract_related(text, profile).links] == [0]


def test_entries_are_normalised_to_the_schema(profile):
    first = extract_related(seed_html(), profile).links[0]

    assert (first.article_id, first.sort, first.content_type_id, first.kind, first.position) == (
        "1808639",
        3605769,
        21,
        "article",
        0,
    )
    assert (
        first.media_url == "https://en.alalam.ir/2016/04/15/alalam_635963521781333735_25f_4x3.jpg"
    )


def test_a_video_file_as_media_makes_a_video_whatever_the_title(profile):
    payload = '[{"id":"1","pic":"/clip.mp4","title":"Plain title here"}]'
    text = var_dump(payload)

    assert extract_related(text, profile).links[0].kind == "video"


def test_media_urls_other_than_http_are_dropped_with_a_warning(profile):
    payload = '[{"id":"1","pic":"javascript:alert(1)","title":"x"}]'
    text = var_dump(payload)

    related = extract_related(text, profile)

    assert related.links[0].media_url is None
    assert [w.split(":")[0] for w in related.warnings] == ["related_bad_media_url"]


def test_media_url_is_built_from_the_profile_not_the_page_host(profile):
    payload = '[{"id":"1","pic":"/2016/a.jpg","title":"x"}]'
    text = var_dump(payload)

    assert extract_related(text, profile).links[0].media_url == "https://en.alalam.ir/2016/a.jpg"


def test_html_entities_in_listed_titles_are_decoded(profile):
    payload = '[{"id":"1","title":"Tom &amp; Jerry&#39;s  \\u00a0 show"}]'
    text = var_dump(payload)

    assert extract_related(text, profile).links[0].title == "Tom & Jerry's show"


def test_a_number_that_is_not_a_number_becomes_null_with_a_warning(profile):
    payload = '[{"id":"1","sort":"soon","title":"x"}]'
    text = var_dump(payload)

    related = extract_related(text, profile)

    assert related.links[0].sort is None
    assert [w.split(":")[0] for w in related.warnings] == ["related_bad_number"]


def test_an_id_with_leading_zeros_is_read_as_its_canonical_id_with_a_warning(profile):
    payload = '[{"id":"0001808639","title":"x"} ,{"id":"1808639","title":"again"}]'

    related = extract_related(var_dump(payload), profile)

    assert related.article_ids == ["1808639"]
    assert [w.split(":")[0] for w in related.warnings] == ["related_id_leading_zeros"]


@pytest.mark.parametrize("case", CASES)
def test_the_spiders_quick_reading_finds_the_same_ids(case, profile):
    text, expected = _load(case)

    ids, invalid = related_ids(text, profile)

    assert ids == expected["article_ids"]
    assert invalid == expected["warnings"].count("related_invalid_id")
