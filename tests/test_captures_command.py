"""`news-archive captures ID` and `show ID --raw`: the captures of an article, on both databases."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from localcopy.site import SEED_ID
from tests.captures_data import digest, write_captures

TEHRAN = "+03:30"


@pytest.fixture
def captured(database_url):
    return write_captures(database_url)


def run(captured, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", captured.url], catch_exceptions=False)


def json_lines(result) -> list[dict]:
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- captures -----------------------------------------------------------------------------------


def test_captures_lists_every_fetch_of_an_article_oldest_first(captured):
    listed = json_lines(run(captured, "captures", SEED_ID, "--json"))

    expected = captured.of(SEED_ID)
    assert [c["number"] for c in listed] == [1, 2, 3, 4, 5]
    assert [c["fetched_at"] for c in listed] == [f.fetched_at.isoformat() for f in expected]
    assert [c["http_status"] for c in listed] == [200, 304, 200, 200, 200]
    assert [c["outcome"] for c in listed] == [
        "new", "not_modified", "unchanged", "version", "held",
    ]  # fmt: skip
    assert [c["version"] for c in listed] == [1, 1, 1, 2, None]
    assert [c["reason"] for c in listed] == [None, None, None, None, "layout_drift"]


def test_captures_give_the_payload_digest_and_size_of_the_body_as_sent(captured):
    first, not_modified, *_ = json_lines(run(captured, "captures", SEED_ID, "--json"))

    wire = captured.of(SEED_ID)[0].wire
    assert (first["payload_digest"], first["size"]) == (digest(wire), len(wire))
    assert (not_modified["payload_digest"], not_modified["size"]) == (None, 0)


def test_captures_for_people_are_a_table_in_site_time(captured):
    text = run(captured, "captures", SEED_ID, "--human").stdout

    assert f"alalam_en/{SEED_ID}: 5 captures (times: site time, Asia/Tehran)" in text
    held = next(line for line in text.splitlines() if "held" in line)
    assert held.split()[:4] == ["5", "2026-11-24", "11:30", TEHRAN]
    assert held.endswith("layout_drift")


def test_captures_of_an_article_never_fetched_say_so(captured):
    done = run(captured, "captures", "999")

    assert done.exit_code == 1
    assert "no capture of alalam_en/999 is in the archive" in done.stderr


def test_captures_of_another_site_are_not_listed(captured):
    done = run(captured, "captures", SEED_ID, "--site", "elsewhere")

    assert done.exit_code == 1
