"""History tells when an article's text went back to an earlier version, and flip-flops.

The rule is a pure function of the article's fetches (crawler.archive.history),
stated here as a table; then a page of the local copy is edited and put back,
crawled each time, and `news-archive history` says when it went back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from crawler.archive.history import Revert, reverts
from crawler.cli import cli
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import crawl
from tests.local_archive import archive_seed_edits

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Fetch:
    fetched_at: datetime
    version: int | None


def fetches(*versions: int | None) -> list[Fetch]:
    """One fetch an hour, reading these versions (None: held or dropped, no version read)."""
    return [Fetch(START + timedelta(hours=n), v) for n, v in enumerate(versions)]


def hour(n: int) -> datetime:
    return START + timedelta(hours=n)


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param((1, 1, 1), [], id="the same text fetched again is no return"),
        pytest.param((1, 2, 2), [], id="an edit is no return"),
        pytest.param((1, 2, 1), [Revert(1, 2, hour(2), 1, False)], id="an edit undone"),
        pytest.param((1, 2, 1, 1, 1), [Revert(1, 2, hour(2), 1, False)], id="told once"),
        pytest.param((1, 2, 3, 1), [Revert(1, 3, hour(3), 1, False)], id="back past two edits"),
        pytest.param((1, 2, 3, 2), [Revert(2, 3, hour(3), 1, False)], id="back one of several"),
        pytest.param(
            (1, 2, 1, 2),
            [Revert(1, 2, hour(2), 1, False), Revert(2, 1, hour(3), 1, True)],
            id="back and forth is a flip-flop",
        ),
        pytest.param(
            (1, 2, 1, 3, 1),
            [Revert(1, 2, hour(2), 1, False), Revert(1, 3, hour(4), 2, True)],
            id="a text back for the second time is a flip-flop",
        ),
        pytest.param(
            (1, None, 2, None, 1),
            [Revert(1, 2, hour(4), 1, False)],
            id="fetches that read no version are no part of the timeline",
        ),
        pytest.param((None, None), [], id="nothing read"),
    ],
)
def test_returns_to_an_earlier_text(versions, expected):
    assert reverts(fetches(*versions)) == expected


def test_the_timeline_is_the_fetches_in_time_order():
    shuffled = [Fetch(hour(2), 1), Fetch(hour(0), 1), Fetch(hour(1), 2)]

    assert reverts(shuffled) == [Revert(1, 2, hour(2), 1, False)]


# -- end to end: the local copy edits a page and puts it back --------------------------------

EVERY_PAGE = ("ARCHIVE_INCREMENTAL=False",)  # each run fetches every page again


@pytest.fixture
def edited_and_restored(database_url):
    """An article archived, its title corrected, then the correction taken back: three runs."""
    site = LocalSite(pages=6)
    article_id = min(site.reachable() - {SEED_ID})
    with ServerThread(site) as base_url:
        for step in ("original", "edited", "restored"):
            if step == "edited":
                page = site.render(article_id).decode().replace("</h1>", " (corrected)</h1>")
                site.replace_page(article_id, page)
            if step == "restored":
                site.restore_page(article_id)
            done = crawl(database_url, start=SEED_ID, base_url=base_url, settings=EVERY_PAGE)
            assert done.returncode == 0, done.log
    return database_url, article_id


def test_history_says_when_the_text_went_back_to_version_1(edited_and_restored):
    url, article_id = edited_and_restored

    as_json = CliRunner().invoke(cli, ["history", article_id, "--json", "--db", url])
    for_people = CliRunner().invoke(cli, ["history", article_id, "--human", "--db", url])

    assert as_json.exit_code == 0, as_json.output
    first, second = (json.loads(line) for line in as_json.stdout.splitlines())
    assert second["returns"] == []
    [back] = first["returns"]
    assert back["reverts_to"] == 1
    assert back["from_version"] == 2
    assert back["flip_flop"] is False
    assert datetime.fromisoformat(back["at"]) > datetime.fromisoformat(second["first_seen_at"])
    assert for_people.exit_code == 0, for_people.output
    returns = for_people.stdout.split("\nThe text went back once\n", 1)[1].splitlines()
    assert returns[0].split() == ["when", "back", "to", "from", "note"]
    assert returns[1].split()[3:] == ["version", "1", "version", "2"]  # after the time


@pytest.fixture
def flip_flopped(database_url) -> str:
    """The seed's title corrected and taken back twice over, a fetch an hour (in-process)."""
    archive_seed_edits(database_url, [False, True, False, True], START)
    return database_url


def test_history_marks_a_flip_flop_with_its_time(flip_flopped):
    as_json = CliRunner().invoke(cli, ["history", SEED_ID, "--json", "--db", flip_flopped])
    for_people = CliRunner().invoke(cli, ["history", SEED_ID, "--human", "--db", flip_flopped])

    first, second = (json.loads(line) for line in as_json.stdout.splitlines())
    assert [r["at"] for r in first["returns"]] == [hour(2).isoformat()]
    assert second["returns"] == [
        {
            "at": hour(3).isoformat(),
            "reverts_to": 2,
            "from_version": 1,
            "times": 1,
            "flip_flop": True,
        }
    ]
    returns = for_people.stdout.split("\nThe text went back 2 times\n", 1)[1].splitlines()
    # 10:00 and 11:00 UTC on the site's clock (Tehran, +03:30), as the heading says
    assert returns[1].split() == ["2026-11-20", "13:30", "+03:30", "version", "1", "version", "2"]
    assert returns[2].split() == [
        "2026-11-20", "14:30", "+03:30", "version", "2", "version", "1", "flip-flop",
    ]  # fmt: skip
