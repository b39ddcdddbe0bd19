"""Two sites of our own in Arabic and Persian, profiled from the README alone, checked
page by page against records checked by hand (fixtures/profiles/beirut_akhbar,
fixtures/profiles/tehran_khabar): dates in words with Arabic-Indic and Persian digits,
Levantine and Egyptian months, the Solar Hijri calendar, Beirut's and Tehran's summer
time; Persian spelling with its ZWNJ; percent-encoded slugs; bylines of two people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli

PROFILES = Path(__file__).parent / "fixtures" / "profiles"


@pytest.mark.parametrize("site", ["beirut_akhbar", "tehran_khabar"])
def test_every_saved_page_gives_its_hand_checked_record(site):
    done = CliRunner().invoke(cli, ["profile", "check", str(PROFILES / f"{site}.toml")])

    assert done.exit_code == 0, done.output
    assert "2 pages, 0 with mismatches" in done.output


def test_a_solar_hijri_date_in_tehran_summer_time_is_stored_in_utc():
    expected = json.loads((PROFILES / "tehran_khabar" / "summer.expected.json").read_text())

    assert expected["published_at"] == "2016-08-16T13:22:00+00:00"
    assert expected["published_local"] == "2016-08-16T17:52:00+04:30"
    assert "\u200c" in expected["title"]  # رئیس‌جمهور, one word
