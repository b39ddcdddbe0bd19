"""Bylines as people: split on the separators of their language, role words dropped,
the publisher, e-mail addresses and numbers left out."""

from __future__ import annotations

import pytest

from crawler.parsing.article import parse_article
from crawler.parsing.authors import people
from crawler.sites import get_profile

URL = "https://www.example-news.test/2024/07/01/a-story"


@pytest.mark.parametrize(
    ("byline", "language", "expected"),
    [
        ("Samya Kullab and Vasilisa Stepanenko", "en", ["Samya Kullab", "Vasilisa Stepanenko"]),
        ("By Ana Lima, Bo Chen, and Cy Doe", "en", ["Ana Lima", "Bo Chen", "Cy Doe"]),
        ("Ana Lima & Bo Chen", "en", ["Ana Lima", "Bo Chen"]),
        ("Chien-Ming Wang - Reuters", "en", ["Chien-Ming Wang", "Reuters"]),
        ("Von Anna Müller und Jens Schmidt", "de", ["Anna Müller", "Jens Schmidt"]),
        ("Par Jean Dupont et Marie Curie", "fr", ["Jean Dupont", "Marie Curie"]),
        ("Por Ana García y Luis Pérez", "es", ["Ana García", "Luis Pérez"]),
        ("Kari Nordmann og Ola Nordmann", "nb", ["Kari Nordmann", "Ola Nordmann"]),
        ("بقلم محمد علي و أحمد حسن", "ar", ["محمد علي", "أحمد حسن"]),
        ("بواسطة سارة خليل، ليلى سعيد", "ar", ["سارة خليل", "ليلى سعيد"]),
    ],
)
def test_a_byline_is_split_into_people_on_the_separators_of_its_language(
    byline, language, expected
):
    assert people([byline], language, []) == expected


def test_a_conjunction_inside_a_name_does_not_split_it():
    assert people(["Andrea Yusuf", "Brandon Sanders"], "en", []) == [
        "Andrea Yusuf",
        "Brandon Sanders",
    ]


def test_an_e_mail_address_and_a_number_are_not_authors():
    assert people(["Ana Lima ana@news.test", "ana@news.test", "12345"], "en", []) == ["Ana Lima"]


def test_the_publishers_name_is_not_an_author():
    assert people(["Tom Watkins, CNN"], "en", ["CNN"]) == ["Tom Watkins"]
    assert people(["毎日新聞"], "ja", ["毎日新聞デジタル"]) == []


def test_the_publisher_named_with_the_sites_own_host_is_not_an_author():
    assert people(["Deutsche Welle (www.dw.com)"], "de", [], host="www.dw.com") == []


def article(head: str = "", body: str = ""):
    html = f"<html><head><title>A story</title>{head}</head><body>{body}<p>Text.</p></body></html>"
    return parse_article(html, URL, get_profile("generic")).article


def test_json_ld_person_objects_are_read_and_the_publisher_left_out():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A story",'
        ' "author": [{"@type": "Person", "givenName": "Ana", "familyName": "Lima"},'
        ' {"@type": "Organization", "name": "Example News"}],'
        ' "publisher": {"@type": "Organization", "name": "Example News"}}</script>'
    )

    found = article(head)

    assert (found.authors, found.field_sources["authors"]) == (["Ana Lima"], "json-ld")


def test_rel_author_links_are_read_by_their_text():
    body = '<p class="byline">By <a rel="author" href="/staff/ana">Ana Lima</a></p>'

    found = article(body=body)

    assert (found.authors, found.field_sources["authors"]) == (["Ana Lima"], "rel-author")


def test_a_meta_author_byline_is_split():
    found = article('<meta name="author" content="By Samya Kullab and Vasilisa Stepanenko">')

    assert found.authors == ["Samya Kullab", "Vasilisa Stepanenko"]


def test_a_byline_only_in_the_markup_is_read_as_trafilatura_finds_it():
    found = article(body='<div class="byline">By Ana Lima and Bo Chen</div>')

    assert (found.authors, found.field_sources["authors"]) == (
        ["Ana Lima", "Bo Chen"],
        "trafilatura",
    )


def test_a_time_or_a_date_in_the_byline_is_not_an_author():
    assert people(["By Ana Lima, Updated 12:30 PM, 16 August 2016"], "en", []) == ["Ana Lima"]
