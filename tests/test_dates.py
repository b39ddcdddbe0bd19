"""Dates stay strict about zones: an offset wins, a local time is read in the site's zone,
a date without a time stays a date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from crawler.parsing.article import parse_article
from crawler.parsing.dates import read_local_date
from crawler.sites import get_profile
from tests.profiles import profile_from_toml
from tests.test_bad_pages import page

LONDON = ZoneInfo("Europe/London")
FETCHED = datetime(2026, 11, 30, tzinfo=UTC)


def read(text: str, formats: tuple[str, ...] = (), zone=LONDON):
    return read_local_date(text, formats, zone, fetched_at=FETCHED)


def test_an_explicit_offset_wins_over_the_sites_zone_and_is_kept_as_the_local_time():
    value = read("2024-07-01T10:00:00+09:00").value

    assert value.published_at == "2024-07-01T01:00:00+00:00"
    assert value.published_local == "2024-07-01T10:00:00+09:00"  # the page's own clock


def test_a_time_given_in_utc_is_shown_on_the_sites_clock():
    value = read("2024-07-01T01:00:00Z").value

    assert value.published_local == "2024-07-01T02:00:00+01:00"  # London's clock then


def test_z_is_utc():
    assert read("2024-01-01T10:00:00Z").value.published_at == "2024-01-01T10:00:00+00:00"


def test_a_format_with_an_offset_keeps_it():
    value = read("2024-07-01 10:00 +0200", ("%Y-%m-%d %H:%M %z",)).value

    assert value.published_at == "2024-07-01T08:00:00+00:00"


def test_a_local_time_is_read_in_the_sites_zone_with_its_offset_at_the_time():
    summer = read("1 July 2024 10:00", ("%d %B %Y %H:%M",)).value
    winter = read("1 January 2024 10:00", ("%d %B %Y %H:%M",)).value

    assert summer.published_at == "2024-07-01T09:00:00+00:00"
    assert winter.published_at == "2024-01-01T10:00:00+00:00"


def test_a_date_without_a_time_is_stored_as_a_date_not_as_midnight():
    for reading in (read("2024-07-01"), read("1 July 2024", ("%d %B %Y",))):
        assert reading.value.published_at is None
        assert reading.value.published_local == "2024-07-01"
        assert reading.warning is None


def test_a_local_time_without_a_zone_to_read_it_in_keeps_only_its_date():
    reading = read("2024-07-01T10:00:00", zone=None)

    assert (reading.value.published_at, reading.value.published_local) == (None, "2024-07-01")
    assert reading.warning.startswith("time_without_zone")


def test_a_time_in_the_daylight_saving_gap_is_read_with_a_warning():
    reading = read("2024-03-31T01:30:00")

    assert reading.value.published_at == "2024-03-31T01:30:00+00:00"
    assert reading.warning.startswith("nonexistent_local_time")


def test_a_date_after_the_fetch_is_no_date():
    reading = read("2027-01-01")

    assert reading.value is None
    assert reading.warning.startswith("implausible_date")


def test_the_date_comes_from_json_ld_when_the_profile_has_no_rule():
    profile = profile_from_toml("")
    html = (
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, '
        '{"@type": "NewsArticle", "headline": "H", "datePublished": "2024-07-01T10:00:00+02:00",'
        ' "author": [{"@type": "Person", "name": "Ana"}, "Bo"]}]}'
        "</script></head><body><p>Text.</p></body></html>"
    )

    article = parse_article(html, "https://news.test/news/a-slug", profile).article

    assert article.article_id == "a-slug"
    assert (article.title, article.published_at) == ("H", "2024-07-01T08:00:00+00:00")
    assert article.authors == ["Ana", "Bo"]
    assert article.field_sources["published"] == article.field_sources["title"] == "json-ld"


def test_the_date_falls_back_to_htmldate_as_a_date():
    profile = profile_from_toml("")
    html = (
        '<html><head><title>A title</title></head><body><p class="byline">'
        "Posted 2016-08-16</p><p>Text of the article, long enough to be one.</p></body></html>"
    )

    article = parse_article(html, "https://news.test/news/x", profile, fetched_at=FETCHED).article

    assert (article.published_at, article.published_local) == (None, "2016-08-16")
    assert article.field_sources["published"] == "htmldate"


def test_a_date_before_1800_is_no_date():
    reading = read("1066-10-14")

    assert reading.value is None
    assert reading.warning.startswith("implausible_date")


def test_an_implausible_date_in_the_markup_gives_way_to_the_metadatas(profile):
    head = '<meta property="article:published_time" content="2016-08-16T13:22:15+00:00">'
    html = page(date="Sat Oct 14, 1066 09:00:00", head=head)

    result = parse_article(html, "https://en.alalam.ir/news/1900001", profile, fetched_at=FETCHED)

    assert result.article.published_at == "2016-08-16T13:22:15+00:00"
    assert result.article.field_sources["published"] == "opengraph"


def test_htmldate_never_gives_a_day_after_the_fetch():
    profile = profile_from_toml("")
    html = (
        '<html><head><title>A title</title></head><body><p class="byline">'
        "Posted 2026-12-01</p><p>Text of the article, long enough to be one.</p></body></html>"
    )

    result = parse_article(html, "https://news.test/news/x", profile, fetched_at=FETCHED)

    assert result.article.published_local is None
    assert "published" not in result.article.field_sources


def generic_page(head: str = "", body: str = "") -> str:
    return (
        f"<html><head><title>A title</title>{head}</head><body>{body}"
        "<p>Text of the article, long enough to be one.</p></body></html>"
    )


def test_the_pages_own_offset_is_kept_when_json_ld_gives_the_instant_in_utc():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2016-08-16T13:22:15Z"}</script>'
        '<meta property="article:published_time" content="2016-08-16T17:52:15+04:30">'
    )
    url = "https://news.test/news/x"

    article = parse_article(generic_page(head), url, profile_from_toml("")).article

    assert article.published_at == "2016-08-16T13:22:15+00:00"
    assert article.published_local == "2016-08-16T17:52:15+04:30"
    assert article.field_sources["published"] == "json-ld"


def test_the_date_comes_from_the_publication_time_element_after_the_metadata():
    body = (
        '<time datetime="2024-06-30T09:00:00+02:00">related story</time>'
        '<time itemprop="datePublished" datetime="2024-07-01T10:00:00+02:00">1 July</time>'
    )

    article = parse_article(
        generic_page(body=body), "https://news.test/news/x", profile_from_toml("")
    ).article

    assert article.published_local == "2024-07-01T10:00:00+02:00"
    assert article.field_sources["published"] == "time"


def test_the_date_comes_from_the_url_when_the_page_gives_none():
    html = "<html><head><title>A title</title></head><body><p>Text.</p></body></html>"
    url = "https://news.test/news/2013/11/27/travel/weather/index.html"

    article = parse_article(html, url, get_profile("generic"), fetched_at=FETCHED).article

    assert (article.published_at, article.published_local) == (None, "2013-11-27")
    assert article.field_sources["published"] == "url"


def test_the_visible_date_comes_before_the_day_in_the_url():
    body = '<p class="byline">Posted 2013-11-28</p>'
    url = "https://news.test/2013/11/27/travel/weather/index.html"

    article = parse_article(generic_page(body=body), url, get_profile("generic")).article

    assert article.published_local == "2013-11-28"
    assert article.field_sources["published"] == "htmldate"


def test_a_day_in_the_url_after_the_fetch_is_no_date():
    html = "<html><head><title>A title</title></head><body><p>Text.</p></body></html>"
    url = "https://news.test/2026/12/25/a-story"

    article = parse_article(html, url, get_profile("generic"), fetched_at=FETCHED).article

    assert article.published_local is None


def test_a_date_line_in_the_words_of_the_pages_language_is_read_from_the_text():
    body = '<div class="news-date">الثلاثاء، ١٦ آب ٢٠١٦ - ١٧:٥٢</div>'
    html = f'<html lang="ar"><head><title>خبر</title></head><body>{body}<p>نص.</p></body></html>'

    article = parse_article(html, "https://news.test/news/x", get_profile("generic")).article

    assert (article.published_at, article.published_local) == (None, "2016-08-16")
    assert article.field_sources["published"] == "text"


def test_a_german_date_line_is_read_in_german():
    body = '<p class="publish-info">Veröffentlicht am 16. August 2016, 17:52 Uhr</p>'
    html = f'<html lang="de"><head><title>T</title></head><body>{body}<p>Text.</p></body></html>'

    article = parse_article(html, "https://news.test/news/x", get_profile("generic")).article

    assert article.published_local == "2016-08-16"
