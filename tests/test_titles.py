"""Headlines of pages without a title rule: entities decoded once, the site's name and
section cut off where the page's own markup shows them, the visible headline first."""

from __future__ import annotations

from crawler.parsing.article import parse_article
from crawler.sites import get_profile

URL = "https://news.test/2024/07/01/a-story"


def title_of(head: str, body: str = "") -> tuple[str, str]:
    html = f"<html><head>{head}</head><body>{body}<p>Text of the story.</p></body></html>"
    article = parse_article(html, URL, get_profile("generic")).article
    return article.title, article.field_sources["title"]


def json_ld(**fields: str) -> str:
    pairs = ", ".join(f'"{key}": "{value}"' for key, value in fields.items())
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {pairs}}}</script>'


def test_entities_in_json_ld_are_decoded():
    head = json_ld(headline="Wie Hacker Satelliten zerst&ouml;ren &#8211; &quot;leicht&quot;")

    assert title_of(head) == ('Wie Hacker Satelliten zerstören \u2013 "leicht"', "json-ld")


def test_entities_are_decoded_once_not_twice():
    head = json_ld(headline="AT&amp;amp;T writes &amp;amp; in its names")

    assert title_of(head)[0] == "AT&amp;T writes &amp; in its names"


def test_the_site_name_of_og_site_name_is_cut_off_the_metadata_title():
    head = (
        '<meta property="og:title" content="Hacker zerstören Satelliten - Golem.de">'
        '<meta property="og:site_name" content="Golem.de">'
    )

    assert title_of(head) == ("Hacker zerstören Satelliten", "opengraph")


def test_the_publisher_of_json_ld_is_cut_off_as_a_prefix():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Daily Planet | Storm hits the coast", '
        '"publisher": {"@type": "Organization", "name": "Daily Planet"}}</script>'
    )

    assert title_of(head)[0] == "Storm hits the coast"


def test_the_section_and_site_the_title_tag_holds_around_the_headline_are_cut_off():
    head = (
        "<title>Storm hits the coast | Sport | Daily Planet</title>"
        '<meta property="og:title" content="Storm hits the coast">'
        + json_ld(headline="Storm hits the coast | Sport")
    )

    assert title_of(head) == ("Storm hits the coast", "json-ld")


def test_an_h1_that_is_the_sites_name_is_not_the_headline():
    head = (
        '<meta property="og:title" content="Storm hits the coast">'
        '<meta property="og:site_name" content="Daily Planet">'
    )
    body = "<h1>Daily Planet</h1>"  # the logo

    assert title_of(head, body) == ("Storm hits the coast", "opengraph")


def test_the_visible_headline_wins_over_a_search_engine_variant():
    head = json_ld(headline="Storm hits coast: what we know")
    body = "<h1>Storm hits the coast: what we know so far</h1>"

    assert title_of(head, body) == ("Storm hits the coast: what we know so far", "h1")


def test_an_unrelated_h1_does_not_replace_the_headline():
    head = json_ld(headline="Storm hits the coast")
    body = "<h1>Most read this week</h1>"

    assert title_of(head, body) == ("Storm hits the coast", "json-ld")


def test_the_headline_part_of_an_h1_that_also_holds_the_logo_link():
    head = "<title>Storm hits the coast » Local » Daily Planet</title>"
    body = '<h1><span>Storm hits the coast</span><a href="/">Daily Planet</a></h1>'

    assert title_of(head, body) == ("Storm hits the coast", "h1")


def test_a_page_that_names_its_article_only_in_an_h1_has_that_headline():
    assert title_of("", "<h1>Storm hits the coast</h1>") == ("Storm hits the coast", "h1")
