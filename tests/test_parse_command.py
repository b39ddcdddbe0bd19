"""`news-archive parse`: a saved page to its record, no database, no network."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawler.cli import cli
from crawler.parsing import extraction
from crawler.parsing.article import parse_article
from tests.conftest import FIXTURES, ROOT, SEED_URL, SITE_FIXTURES, seed_html
from tests.test_bad_pages import dump, related
from tests.test_bad_pages import page as bad_page

TIME = FIXTURES / "real_pages" / "time.com" / "page.html.gz"
GENERIC = ROOT / "crawler" / "sites" / "generic.toml"


def parse(*arguments: str):
    return CliRunner().invoke(cli, ["parse", *arguments])


def test_a_gzipped_page_is_read_with_the_url_it_names_and_the_generic_profile():
    done = parse(str(TIME), "--json")

    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    assert record["site"] == "generic"
    assert record["article_id"] == "6330957/james-hansen-climate-warning-geoengineering-study/"
    assert record["authors"] == ["Alejandro de la Garza"]
    assert record["field_sources"]["body"] == "trafilatura"
    assert isinstance(record["warnings"], list)


def test_people_get_the_record_with_its_sources_and_warnings():
    page = SITE_FIXTURES / "alalam_en" / "1851093.html"

    done = parse(str(page), "--url", SEED_URL, "--site", "alalam_en")

    assert done.exit_code == 0, done.output
    assert "Iran, Russia Engaged in Strategic Cooperation" in done.output
    assert "field sources: title css, published css" in done.output


def test_a_page_that_names_no_url_needs_one(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>T</title></head><body><p>x</p></body></html>")

    done = parse(str(page))

    assert done.exit_code == 2
    assert "give --url URL" in done.output


def test_a_page_that_gives_no_record_says_why_and_fails(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>No title anywhere.</p></body></html>")

    done = parse(str(page), "--url", "https://news.test/a", "--json")

    assert done.exit_code == 1
    assert json.loads(done.output)["drop_reason"] == "no_title"


def test_site_and_profile_are_one_or_the_other():
    done = parse(str(TIME), "--site", "generic", "--profile", str(GENERIC))

    assert done.exit_code == 2
    assert "--site and --profile name a profile each: give one" in done.output


def test_the_fallback_extractors_do_not_run_when_the_rules_find_every_field(profile, monkeypatch):
    def fail(*_args, **_kwargs):
        raise AssertionError("a fallback extractor ran")

    monkeypatch.setattr(extraction, "body_paragraphs", fail)
    monkeypatch.setattr(extraction, "publication_date", fail)
    monkeypatch.setattr(extraction, "byline", fail)

    assert parse_article(seed_html(), SEED_URL, profile).article is not None


def test_the_record_shown_is_made_safe_as_the_archive_stores_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(bad_page(body="<p>Text.</p>" + dump([related(sort=str(10**20))])))

    done = parse(str(page), "--url", SEED_URL, "--site", "alalam_en", "--json")

    record = json.loads(done.output)
    assert record["related"][0]["sort"] is None
    assert any(warning.startswith("number_out_of_range") for warning in record["warnings"])


def test_many_pages_are_parsed_in_one_call_one_json_line_each(tmp_path):
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    for page, name in ((first, "one"), (second, "two")):
        page.write_text(
            f'<html><head><title>Story {name}</title><link rel="canonical" '
            f'href="https://news.test/{name}"></head><body><p>Text.</p></body></html>'
        )

    done = parse(str(first), str(second), "--json")

    assert done.exit_code == 0, done.output
    records = [json.loads(line) for line in done.output.splitlines()]
    assert [(r["file"], r["article_id"]) for r in records] == [
        (str(first), "one"),
        (str(second), "two"),
    ]


def test_one_url_for_many_pages_is_refused():
    done = parse(str(TIME), str(TIME), "--url", "https://news.test/a")

    assert done.exit_code == 2
    assert "--url is one page's URL" in done.output
