"""Writing a profile: `profile check` compares times as instants, `profile record` writes a
saved page's expect file. The pages are tehran_khabar's (tests/fixtures/profiles: made up for
these tests, not a real site)."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.cli.expectations import field_matches, same_time
from tests.conftest import FIXTURES

SITE = "tehran_khabar"
SUMMER_URL = (
    "https://www.tehran-khabar.test/fa/news/"
    "%D8%B1%D8%A6%DB%8C%D8%B3%E2%80%8C%D8%AC%D9%85%D9%87%D9%88%D8%B1-%D8%AF%D8%B1-"
    "%D9%85%D8%B3%DA%A9%D9%88"
)


@pytest.mark.parametrize(
    ("expected", "got", "same"),
    [
        ("2016-08-16T13:22:00Z", "2016-08-16T13:22:00+00:00", True),
        ("2016-08-16T13:22:00+00:00", "2016-08-16T13:22:00Z", True),
        ("2016-08-16T13:22:00.000+00:00", "2016-08-16T13:22:00+00:00", True),
        ("2016-08-16T13:22:00Z", "2016-08-16T13:22:01+00:00", False),
        # Where the expectation gives an offset, the record's must be the same.
        ("2016-08-16T17:52:00+04:30", "2016-08-16T17:52:00+04:30", True),
        ("2016-08-16T17:52:00+04:30", "2016-08-16T13:22:00+00:00", False),
        ("2016-08-16T17:52:00+04:30", "2016-08-16T17:52:00", False),
        # Where it gives none, the wall-clock time alone is compared.
        ("2016-08-16T17:52:00", "2016-08-16T17:52:00+04:30", True),
        ("2016-08-16T17:52:00", "2016-08-16T17:53:00+04:30", False),
        # A date alone is text; so is anything that is not a time.
        ("2016-08-16", "2016-08-16", True),
        ("2016-08-16", "2016-08-16T00:00:00+04:30", False),
        ("yesterday", "yesterday", True),
    ],
)
def test_times_are_compared_as_instants_and_offsets_where_the_expectation_has_one(
    expected, got, same
):
    assert same_time(expected, got) is same


@pytest.mark.parametrize(
    ("name", "expected", "got", "same"),
    [
        ("published_at", "2016-08-16T13:22:00Z", "2016-08-16T13:22:00+00:00", True),
        ("published_at", None, None, True),
        ("published_local", "2016-08-16T13:22:00Z", None, False),
        ("title", "2016-08-16T13:22:00Z", "2016-08-16T13:22:00+00:00", False),
    ],
)
def test_only_the_time_fields_are_read_as_times(name, expected, got, same):
    assert field_matches(name, expected, got) is same


@pytest.fixture
def site(tmp_path):
    """A copy of tehran_khabar's profile and pages, for a test to edit."""
    shutil.copy(FIXTURES / "profiles" / f"{SITE}.toml", tmp_path)
    shutil.copytree(FIXTURES / "profiles" / SITE, tmp_path / SITE)
    return tmp_path


def run(*arguments: str):
    return CliRunner().invoke(cli, list(arguments))


def edit_expectation(path, **fields) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**expected, **fields}, ensure_ascii=False), encoding="utf-8")


def test_profile_check_reads_z_and_plus_zero_as_the_same_time(site):
    edit_expectation(site / SITE / "summer.expected.json", published_at="2016-08-16T13:22:00Z")

    done = run("profile", "check", str(site / f"{SITE}.toml"))

    assert done.exit_code == 0, done.output
    assert "2 pages, 0 with mismatches" in done.output


def test_profile_check_holds_the_offset_the_expectation_gives(site):
    edit_expectation(
        site / SITE / "summer.expected.json", published_local="2016-08-16T13:22:00+00:00"
    )

    done = run("profile", "check", str(site / f"{SITE}.toml"))

    assert done.exit_code == 1
    assert "MISMATCH  published_local" in done.output
    assert 'got      "2016-08-16T17:52:00+04:30"' in done.output


def test_profile_record_writes_the_expect_file_the_profiles_test_names(site):
    expect = site / SITE / "summer.expected.json"
    expect.unlink()

    done = run("profile", "record", str(site / SITE / "summer.html"), "--profile",
               str(site / f"{SITE}.toml"))  # fmt: skip

    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"wrote {expect}: ")
    recorded = json.loads(expect.read_text(encoding="utf-8"))
    assert recorded["url"] == "https://www.tehran-khabar.test/fa/news/رئیس‌جمهور-در-مسکو"
    assert recorded["published_local"] == "2016-08-16T17:52:00+04:30"
    assert "warnings" not in recorded and "version" not in recorded
    assert run("profile", "check", str(site / f"{SITE}.toml")).exit_code == 0


def test_a_recorded_expect_file_holds_every_field_of_the_record(site):
    page = site / SITE / "summer.html"
    run("profile", "record", str(page), "--profile", str(site / f"{SITE}.toml"))

    parsed = run("parse", str(page), "--url", SUMMER_URL, "--profile", str(site / f"{SITE}.toml"),
                 "--json")  # fmt: skip
    record = json.loads(parsed.output)
    record.pop("warnings")
    assert json.loads((site / SITE / "summer.expected.json").read_text("utf-8")) == record


def test_a_page_the_profile_does_not_list_is_recorded_beside_it_with_the_tests_entry_to_add(site):
    page = site / "autumn.html.gz"
    page.write_bytes(gzip.compress((site / SITE / "winter.html").read_bytes()))
    url = "https://www.tehran-khabar.test/fa/news/کتابخانه-ملی"

    done = run("profile", "record", str(page), "--profile", str(site / f"{SITE}.toml"),
               "--url", url)  # fmt: skip

    assert done.exit_code == 0, done.output
    assert (site / "autumn.expected.json").is_file()
    assert done.output.endswith(
        f'lists it:\n[[tests]]\nfile = "autumn.html.gz"\nexpect = "autumn.expected.json"\n'
        f'url = "{url}"\n'
    )


def test_a_page_that_gives_no_record_is_recorded_by_its_reason(site):
    page = site / "elsewhere.html"
    shutil.copy(site / SITE / "winter.html", page)
    output = site / "elsewhere.expected.json"

    done = run("profile", "record", str(page), "--profile", str(site / f"{SITE}.toml"),
               "--url", "https://www.tehran-khabar.test/about", "-o", str(output))  # fmt: skip

    assert done.exit_code == 0, done.output
    assert json.loads(output.read_text("utf-8")) == {"drop_reason": "not_an_article_url"}
    assert "the page gives no record (not_an_article_url)" in done.output


def test_profile_record_needs_a_profile_file(site):
    done = run("profile", "record", str(site / SITE / "summer.html"))

    assert done.exit_code == 2
    assert "Missing option '--profile'" in done.output
