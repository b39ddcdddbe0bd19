"""The normalisation rules of ARTICLE-SCHEMA.md, one behaviour each."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.parsing.article import parse_article
from crawler.parsing.dates import read_local_date
from crawler.parsing.kind import classify
from crawler.parsing.text import normalise_text, strip_quote_artefact
from crawler.sites import get_profile
from tests.test_bad_pages import page

TEHRAN = ZoneInfo("Asia/Tehran")
FORMATS = ("%a %b %d, %Y %H:%M:%S",)

# -- rule 1: text -------------------------------------------------------------------


def test_runs_of_white_space_become_one_space():
    assert normalise_text("  a \t\n b  ") == "a b"


def test_no_break_and_zero_width_characters_count_as_white_space():
    assert normalise_text("a\u00a0\u00a0b\u200bc\ufeffd") == "a b c d"


def test_text_is_put_in_nfc():
    assert normalise_text("Cafe\u0301") == "Caf\u00e9"


def test_typographic_quotes_and_apostrophes_are_kept():
    assert normalise_text("Iran’s “strategic” role") == "Iran’s “strategic” role"


ZWNJ = "\u200c"
PRESIDENT = f"رئیس{ZWNJ}جمهور"  # "president": one word, its parts kept apart by a ZWNJ
FINDS = f"می{ZWNJ}یابد"  # "finds": the prefix mi- is written apart, not as a word


def test_the_zero_width_non_joiner_of_persian_spelling_is_kept():
    assert normalise_text(f" {PRESIDENT}  {FINDS} ") == f"{PRESIDENT} {FINDS}"


def test_the_zero_width_joiner_between_letters_is_kept():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

    assert normalise_text(f"a {family} b") == f"a {family} b"


def test_a_joiner_beside_a_space_goes_with_the_space():
    assert normalise_text(f"{PRESIDENT} {ZWNJ} {FINDS}{ZWNJ}") == f"{PRESIDENT} {FINDS}"


def test_a_doubled_non_joiner_is_one():
    assert normalise_text(f"می{ZWNJ}{ZWNJ}یابد") == FINDS


def test_a_right_to_left_mark_between_words_is_kept_and_dropped_at_the_ends():
    text = "\u200fساعت 17:52\u200f  امروز\u200f"

    assert normalise_text(text) == "ساعت 17:52\u200f امروز"


# -- rule 3: the quote artefact ---------------------------------------------------------


def test_straight_quote_before_a_curly_quote_and_at_the_end_is_removed():
    assert strip_quote_artefact('"“Tehran…Tuesday."') == "“Tehran…Tuesday."


def test_doubled_straight_quote_loses_the_outer_pair():
    assert strip_quote_artefact('""As a result…said."') == '"As a result…said.'


def test_a_quote_that_only_opens_the_paragraph_is_kept():
    text = '"On August 16, … targets” of Daesh, the ministry said.'
    assert strip_quote_artefact(text) == text


def test_a_paragraph_quoted_once_is_kept():
    assert strip_quote_artefact('"A plain quotation."') == '"A plain quotation."'


# -- rule 4: dates ------------------------------------------------------------------------


def test_date_is_read_with_the_zones_offset_of_the_time():
    reading = read_local_date("Tue Aug 16, 2016 17:52:15", FORMATS, TEHRAN)

    assert reading.value.utc == datetime(2016, 8, 16, 13, 22, 15, tzinfo=UTC)
    assert reading.value.local.isoformat() == "2016-08-16T17:52:15+04:30"
    assert reading.warning is None


def test_winter_dates_use_standard_time():
    reading = read_local_date("Tue Jan 12, 2016 10:00:00", FORMATS, TEHRAN)

    assert reading.value.local.isoformat() == "2016-01-12T10:00:00+03:30"


def test_summer_dates_after_iran_ended_daylight_saving_use_standard_time():
    reading = read_local_date("Wed Aug 16, 2023 17:52:15", FORMATS, TEHRAN)

    assert reading.value.local.isoformat() == "2023-08-16T17:52:15+03:30"


def test_an_unparseable_date_is_null_with_a_warning_never_a_guess():
    reading = read_local_date("16/08/2016 5pm", FORMATS, TEHRAN)

    assert reading.value is None
    assert reading.warning.startswith("unparseable_date")


def test_a_missing_date_is_null_with_a_warning():
    assert read_local_date("", FORMATS, TEHRAN).warning == "no_date"


def test_a_wall_time_skipped_by_the_clock_change_is_flagged():
    reading = read_local_date("Sun Mar 22, 2015 00:22:15", FORMATS, TEHRAN)

    assert reading.value is not None
    assert reading.warning.startswith("nonexistent_local_time")


def test_a_wall_time_repeated_by_the_clock_change_is_flagged():
    reading = read_local_date("Mon Sep 21, 2015 23:30:00", FORMATS, TEHRAN)

    assert reading.value.local.isoformat() == "2015-09-21T23:30:00+04:30"
    assert reading.warning.startswith("ambiguous_local_time")


# -- rule 5: kinds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "media", "kind"),
    [
        ("PICS: Iran Received First Delivery", None, "photos"),
        ("PHOTOS: Russia Deploys Jets + VIDEO", None, "photos"),
        ("VIDEO: Bombers Attack", None, "video"),
        ("Plain news", "https://en.alalam.ir/a/b.mp4", "video"),
        ("Plain news", "https://en.alalam.ir/a/b.jpg", "article"),
        ("Pics: lower case is not the site's prefix", None, "article"),
    ],
)
def test_kind_comes_from_the_title_prefix_then_the_media(title, media, kind, profile):
    assert classify(title, media, profile) == kind


def test_a_date_after_the_fetch_is_null_with_a_warning():
    fetched = datetime(2026, 11, 24, tzinfo=UTC)

    reading = read_local_date("Tue Aug 16, 2061 17:52:15", FORMATS, TEHRAN, fetched_at=fetched)

    assert reading.value is None
    assert reading.warning.startswith("implausible_date")


def test_a_date_hours_ahead_of_the_fetch_is_a_time_zone_not_a_typo():
    fetched = datetime(2016, 8, 16, 10, 0, tzinfo=UTC)

    assert read_local_date("Tue Aug 16, 2016 17:52:15", FORMATS, TEHRAN, fetched_at=fetched).value


def test_persian_words_keep_their_non_joiner_in_the_parsed_title_and_body(profile):
    html = page(title=f"{PRESIDENT} ایران", body=f"<p>او راهی {FINDS}.</p>")

    article = parse_article(html, "https://en.alalam.ir/news/1851093", profile).article

    assert article.title == f"{PRESIDENT} ایران"
    assert article.body == f"او راهی {FINDS}."


def test_persian_words_keep_their_non_joiner_in_a_body_trafilatura_reads():
    sentence = f"{PRESIDENT} ایران امروز به مسکو رفت و گفت که راه تازه‌ای {FINDS}."
    paragraphs = "".join(f"<p>{sentence} {n}</p>" for n in range(3))
    html = f'<html lang="fa"><head><title>خبر</title></head><body><article>{paragraphs}</article>'

    article = parse_article(html, "https://x.test/fa/news/1", get_profile("generic")).article

    assert article.field_sources["body"] == "trafilatura"
    assert article.lead == f"{sentence} 0"
