"""`news-archive captures ID` and `show ID --raw`: the captures of an article, on both databases."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.parsing.decode import served_text
from localcopy.site import SEED_ID
from tests.captures_data import CP1252_ID, CP1252_PAGE, NOTICE, digest, write_captures
from tests.terminal import on_terminal

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
    # A terminal wide enough for the whole row: on a narrow one the last column is cut.
    text = (
        CliRunner()
        .invoke(
            cli,
            ["captures", SEED_ID, "--human", "--db", captured.url],
            env={"COLUMNS": "200"},
            catch_exceptions=False,
        )
        .stdout
    )

    assert f"alalam_en/{SEED_ID}: 5 captures (times: site time, Asia/Tehran)" in text
    held = next(line for line in text.splitlines() if "held" in line)
    assert held.split()[:4] == ["5", "2026-11-24", "11:30", TEHRAN]
    assert held.endswith("layout_drift")


def test_captures_of_an_article_never_fetched_say_so(captured):
    done = run(captured, "captures", "999")

    assert done.exit_code == 1
    assert "999 is not in the archive" in done.stderr


def test_captures_of_another_site_are_not_listed(captured):
    done = run(captured, "captures", SEED_ID, "--site", "elsewhere")

    assert done.exit_code == 1


# -- show --raw ---------------------------------------------------------------------------------


def test_show_raw_gives_the_last_capture_with_its_content_encoding_undone(captured):
    done = run(captured, "show", SEED_ID, "--raw")

    assert done.exit_code == 0, done.stderr
    assert done.stdout_bytes == NOTICE


def test_show_raw_of_capture_n_gives_that_page(captured):
    done = run(captured, "show", SEED_ID, "--raw", "--capture", "1")

    assert done.stdout_bytes == captured.of(SEED_ID)[0].page
    assert b"air base" in done.stdout_bytes


def test_show_raw_of_a_304_gives_the_page_it_confirmed_and_says_so(captured):
    done = run(captured, "show", SEED_ID, "--raw", "--capture", "2")

    assert done.stdout_bytes == captured.of(SEED_ID)[0].page
    assert "capture 2 is a 304 with no body of its own: the page of capture 1" in done.stderr


def test_show_raw_at_a_time_gives_the_last_capture_fetched_by_then(captured):
    edited = captured.of(SEED_ID)[3]
    moment = (edited.fetched_at + timedelta(hours=1)).isoformat()

    done = run(captured, "show", SEED_ID, "--raw", "--at", moment)

    assert done.stdout_bytes == edited.page
    assert b"airbase" in done.stdout_bytes


def test_show_raw_at_a_time_before_the_first_capture_says_so(captured):
    done = run(captured, "show", SEED_ID, "--raw", "--at", "2016-08-16")

    assert done.exit_code == 1
    assert f"no capture of alalam_en/{SEED_ID} at or before 2016-08-16" in done.stderr


def test_show_raw_of_a_capture_beyond_the_last_says_how_many_there_are(captured):
    done = run(captured, "show", SEED_ID, "--raw", "--capture", "9")

    assert done.exit_code == 1
    assert f"alalam_en/{SEED_ID} has 5 captures: no capture 9" in done.stderr


@pytest.mark.parametrize(
    "args",
    [("--capture", "1"), ("--at", "2026-11-21"), ("--raw", "--capture", "1", "--at", "2026")],
)
def test_show_refuses_a_capture_choice_without_raw_or_with_both(captured, args):
    done = run(captured, "show", SEED_ID, *args)

    assert done.exit_code == 2


def test_show_raw_of_a_page_without_content_encoding_gives_its_bytes(captured):
    done = run(captured, "show", CP1252_ID, "--raw")

    assert done.stdout_bytes == CP1252_PAGE.encode("cp1252")


def test_a_page_read_with_no_recorded_charset_is_decoded_as_its_meta_says():
    page = CP1252_PAGE.encode("cp1252")

    assert served_text(page, None, "text/html") == CP1252_PAGE


def test_the_header_charset_wins_over_the_meta_and_the_recorded_one_over_both():
    page = CP1252_PAGE.encode("cp1252")

    assert "Iran\ufffds page" in served_text(page, None, "text/html; charset=utf-8")
    assert served_text(page, "cp1252", "text/html; charset=utf-8") == CP1252_PAGE


def test_captures_of_a_page_that_gave_no_article_are_listed_with_the_reason(captured):
    [dropped] = json_lines(run(captured, "captures", CP1252_ID, "--json"))

    assert (dropped["outcome"], dropped["version"], dropped["reason"]) == (
        "dropped",
        None,
        "no_title",
    )


def test_show_raw_on_a_terminal_decodes_a_capture_in_the_charset_its_meta_names(captured):
    seen = on_terminal(
        [sys.executable, "-m", "crawler", "show", CP1252_ID, "--raw", "--db", captured.url]
    )

    assert "<p>Iran’s page, in windows-1252</p>" in seen.decode("utf-8")
