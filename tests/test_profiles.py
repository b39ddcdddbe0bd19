"""Site profiles are data files, read strictly: a bad one is refused with one line saying why."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from click.testing import CliRunner

from crawler import sites
from crawler.cli import cli
from crawler.cli.profiles import check_profile
from crawler.sites import (
    ProfileError,
    UnknownSiteError,
    builtin_names,
    get_profile,
    load_profile,
    resolve_profile,
)
from tests.conftest import FIXTURES, ROOT

EXAMPLE = FIXTURES / "profiles" / "example_daily.toml"


def write(tmp_path, text: str, name: str = "site.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """
    name = "good"
    base_url = "https://good.test"
    [article]
    url = "/a/{id}"
    id_pattern = '^/a/([0-9]+)$'
"""


def test_the_issues_example_is_accepted_as_written():
    profile = load_profile(EXAMPLE)

    assert profile.article_url("42") == "https://www.example-daily.test/world/42/"
    assert profile.article_id_from_url("https://www.example-daily.test/world/42/x") == "42"
    assert profile.fields.title == ("h1.headline::text",)
    assert profile.related.script_json[0].keys.id == "storyId"
    assert profile.discovery.listings == ("/news",)
    assert profile.discovery.feeds == ("/rss.xml",)


def test_alalam_en_is_a_data_file():
    assert get_profile("alalam_en").source.name == "alalam_en.toml"


@pytest.mark.parametrize("name", [n for n in builtin_names() if get_profile(n).tests])
def test_every_built_in_profile_passes_its_own_tests(name):
    checks = check_profile(get_profile(name))

    assert checks
    assert all(page.fields for page in checks)
    failures = [(p.test.file.name, f.name) for p in checks for f in p.fields if not f.ok]
    assert failures == []


def test_the_generic_profile_has_no_rules_at_all():
    generic = get_profile("generic")

    assert generic.fields.title == generic.fields.body == generic.fields.published == ()
    assert generic.fields.authors == generic.fields.desk_code == ()


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[fields]\ntitel = ["h1"]', "fields.titel", "unknown key (did you mean 'title'?)"),
        ('[fields]\ntitle = "h1["', "fields.title[0]", "is not a CSS selector"),
        ("[fields]\nbold_subheadings = 1", "fields.bold_subheadings", "must be true or false"),
        ('[fields]\ndesk_code_pattern = "(["', "fields.desk_code_pattern", "regular expression"),
        ('[fields]\ndate_formats = ["%Q"]', "fields.date_formats[0]", "bad directive"),
        ('time_zone = "Mars/Olympus"', "time_zone", "not an IANA time zone"),
        ('[related]\nscript_vars = ["a b"]', "related.script_vars[0]", "JavaScript variable"),
        (
            '[related]\nscript_json = [{ selector = "div > script" }]',
            "related.script_json[0].selector",
            "must select the script element by its own",
        ),
        ('[kind]\ntitle_prefixes = { "PICS:" = "gallery" }', "kind.title_prefixes.PICS:", "kind"),
        ('[discovery]\nlistings = ["news"]', "discovery.listings[0]", "beginning with /"),
        ('[discovery]\nfeeds = ["//cdn.test/rss"]', "discovery.feeds[0]", "not a path on the site"),
        ("[discovery]\nmax_age_days = 0", "discovery.max_age_days", "not a positive number"),
        ('[discovery]\nevery = "1 hour"', "discovery.every", "'1 hour' is not a duration"),
        ('[discovery]\nevery = "0m"', "discovery.every", "'0m' is not a duration"),
        ("[discovery]\nevery = 60", "discovery.every", "must be a string"),
    ],
)
def test_a_bad_value_is_named_with_its_file_key_and_problem(tmp_path, text, key, problem):
    path = write(tmp_path, GOOD + "\n" + text if text.startswith("[") else text + GOOD)

    with pytest.raises(ProfileError) as raised:
        load_profile(path)

    message = str(raised.value)
    assert message.startswith(f"profile {path}: {key}: ")
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("every", "seconds"),
    [("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2d", 172800)],
)
def test_discovery_every_is_a_duration(tmp_path, every, seconds):
    path = write(tmp_path, GOOD + f'\n[discovery]\nevery = "{every}"')

    assert load_profile(path).discovery.every == timedelta(seconds=seconds)


@pytest.mark.parametrize("every", ["1.5h", "30m1h", "1h1h", "h", "1w", "-1h"])
def test_a_duration_with_more_than_one_reading_or_none_is_refused(tmp_path, every):
    path = write(tmp_path, GOOD + f'\n[discovery]\nevery = "{every}"')

    with pytest.raises(ProfileError, match=r"discovery\.every: .* is not a duration"):
        load_profile(path)


def test_a_profile_without_every_sets_no_schedule(tmp_path):
    assert load_profile(write(tmp_path, GOOD)).discovery.every is None


@pytest.mark.parametrize(
    ("article", "key", "problem"),
    [
        ('url = "/a/"\nid_pattern = "^/a/(.+)$"', "article.url", "must hold {id}"),
        ('url = "a/{id}"\nid_pattern = "^/a/(.+)$"', "article.url", "beginning with /"),
        ('url = "/a/{id}"\nid_pattern = "^/a/.+$"', "article.id_pattern", "needs a group"),
        (
            'url = "/a/{id}"\nid_pattern = "^/b/([0-9]+)$"\nid_kind = "number"',
            "article.id_pattern",
            "does not give back the id",
        ),
        ('url = "/a/{id}"\nid_patern = "^/a/(.+)$"', "article.id_pattern", "is required"),
    ],
)
def test_the_article_template_and_pattern_must_agree(tmp_path, article, key, problem):
    path = write(tmp_path, f'name = "x"\nbase_url = "https://x.test"\n[article]\n{article}\n')

    with pytest.raises(ProfileError, match=problem) as raised:
        load_profile(path)

    assert f": {key}: " in str(raised.value)


def test_discovery_paths_must_be_paths_on_the_site(tmp_path):
    path = write(tmp_path, GOOD + '\n[discovery]\nfeeds = ["https://elsewhere.example/rss"]\n')

    with pytest.raises(ValueError, match="is not a path on the site"):
        load_profile(path)


@pytest.mark.parametrize(
    "command",
    [
        ["profile", "check", "{path}"],
        [
            "parse",
            str(FIXTURES / "real_pages" / "time.com" / "page.html.gz"),
            "--profile",
            "{path}",
        ],
    ],
)
def test_a_discovery_path_on_another_host_is_one_line_naming_file_and_key(tmp_path, command):
    path = write(tmp_path, GOOD + '\n[discovery]\nfeeds = ["//cdn.test/rss"]\n')

    done = CliRunner().invoke(cli, [part.format(path=path) for part in command])

    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert done.output.strip().splitlines() == [
        f"Error: profile {path}: discovery.feeds[0]: '//cdn.test/rss' is not a path on the site: "
        "it must be a path beginning with / (not //: the host is base_url's)"
    ]


def test_profile_check_of_an_unknown_name_is_one_line_and_exit_code_2():
    done = CliRunner().invoke(cli, ["profile", "check", "nowhere"])

    assert done.exit_code == 2, done.output
    assert done.output.strip().splitlines() == [
        "Error: no site profile named 'nowhere' (known: alalam_en, generic)"
    ]


def test_a_file_that_is_not_toml_is_refused_with_its_name(tmp_path):
    path = write(tmp_path, "name = \n")

    with pytest.raises(ProfileError, match=rf"profile {path}: is not valid TOML"):
        load_profile(path)


def test_a_profile_directory_adds_sites_and_overrides_built_in_ones(tmp_path):
    text = (ROOT / "crawler" / "sites" / "alalam_en.toml").read_text(encoding="utf-8")
    write(
        tmp_path, text.replace('time_zone = "Asia/Tehran"', 'time_zone = "UTC"'), "alalam_en.toml"
    )
    write(tmp_path, GOOD, "good.toml")

    assert get_profile("alalam_en", tmp_path).time_zone == "UTC"
    assert get_profile("good", tmp_path).base_url == "https://good.test"
    assert get_profile("alalam_en").time_zone == "Asia/Tehran"


def test_the_profile_directory_comes_from_the_environment_too(tmp_path, monkeypatch):
    write(tmp_path, GOOD, "good.toml")
    monkeypatch.setenv("ARCHIVE_SITES_DIR", str(tmp_path))

    assert get_profile("good").name == "good"


def test_a_file_in_the_directory_must_be_named_after_its_site(tmp_path):
    write(tmp_path, GOOD, "other.toml")

    with pytest.raises(ProfileError, match="differs from the file's name"):
        get_profile("other", tmp_path)


def test_an_unknown_site_lists_the_known_ones():
    with pytest.raises(UnknownSiteError, match="alalam_en, generic"):
        get_profile("nowhere")


def test_a_profile_file_is_read_once_until_it_changes(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    reads = []
    real = sites.load_profile
    monkeypatch.setattr(sites, "load_profile", lambda file: reads.append(file) or real(file))

    first = resolve_profile(None, str(path))
    assert resolve_profile("good", str(path)) is first
    assert len(reads) == 1

    mtime = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(mtime, mtime))
    assert resolve_profile(None, str(path)) is not first
    assert len(reads) == 2


def test_a_site_and_a_profile_file_that_disagree_are_refused(tmp_path):
    with pytest.raises(ProfileError, match="but the crawl names site 'alalam_en'"):
        resolve_profile("alalam_en", str(write(tmp_path, GOOD)))


def test_a_crawl_with_a_bad_profile_stops_before_it_starts_with_one_line(tmp_path):
    path = write(tmp_path, GOOD + '\n[fields]\ntitel = ["h1"]\n')

    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "related", "-a", f"profile={path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"ARCHIVE_DB": f"sqlite:///{tmp_path / 'a.sqlite3'}", "PATH": "/usr/bin:/bin"},
    )

    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: profile {path}: fields.titel: unknown key (did you mean 'title'?)"
    )
