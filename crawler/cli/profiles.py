"""The profile author's commands: parse a saved page, check a profile against its pages.

Neither touches a database or the network:

    news-archive parse page.html --url https://site/news/1 [--site NAME | --profile FILE] [--json]
    news-archive parse pages/*.html [--site NAME | --profile FILE] [--json]
    news-archive profile check NAME|FILE
    news-archive profile record page.html --profile FILE [--url URL] [-o EXPECT]
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.cli import output as out
from crawler.cli.expectations import field_matches, write_expect
from crawler.export.atomic import NotAFileError
from crawler.items import FetchedPage
from crawler.parsing.article import ParseResult
from crawler.parsing.fetched import parse_fetched
from crawler.sites import ProfileError, UnknownSiteError, resolve_profile

if TYPE_CHECKING:
    from crawler.sites.profile import ProfileTest, SiteProfile

EXIT_MISMATCH = 1
EXIT_BAD_PROFILE = 2
BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")


# -- reading a saved page ----------------------------------------------------------------


def read_page(path: Path) -> str:
    """A saved page as text: HTML, or gzip of it; decoded as its BOM or meta tag says."""
    return html_to_unicode(None, _page_body(path))[1]


def _page_body(path: Path) -> bytes:
    body = path.read_bytes()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def page_url(html: str) -> str | None:
    """The URL a page names for itself: its canonical link, else og:url."""
    page = Selector(text=html, type="html")
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        if url := (page.xpath(xpath).get() or "").strip():
            return url
    return None


def parse_saved(path: Path, url: str | None, site_profile: SiteProfile) -> ParseResult:
    """A saved page's record, made exactly as the archive's worker makes it (`parse_fetched`:
    the same decoding, the same value safety), as if it had just been fetched from `url`."""
    body = _page_body(path)
    encoding, html = html_to_unicode(None, body)
    url = url or page_url(html)
    if url is None:
        raise click.UsageError(f"{path} names no canonical URL: give --url URL")
    article_id = site_profile.article_id_from_url(url)
    if article_id is None:
        return ParseResult(None, "not_an_article_url")
    page = FetchedPage(
        site=site_profile.name,
        article_id=article_id,
        url=url,
        final_url=url,
        status=200,
        content_type="text/html",
        encoding=encoding,
        body=body,
        fetched_at=datetime.now(UTC).isoformat(),
    )
    return parse_fetched(page, site_profile)


def record_json(result: ParseResult) -> dict[str, Any]:
    """The record as exported (bookkeeping aside, there is none yet), plus the warnings."""
    if result.article is None:
        return {"drop_reason": result.drop_reason, "warnings": result.warnings}
    record = dataclasses.asdict(result.article)
    for name in BOOKKEEPING:
        record.pop(name, None)
    return {**record, "warnings": result.warnings}


class BadProfile(click.ClickException):
    """One line, exit code 2: the profile named cannot be found or used."""

    exit_code = EXIT_BAD_PROFILE


def _profile(site: str | None, profile_file: str | None) -> SiteProfile:
    # Without --site or --profile a page is read by the fallbacks alone, whatever site it is from.
    try:
        return resolve_profile(site, profile_file, default="generic")
    except (ProfileError, UnknownSiteError) as error:
        raise BadProfile(str(error)) from None


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--url", help="The page's URL (one FILE only; default: the canonical URL the page names)."
)
@click.option("--site", help="Site profile by name (default: generic, every field by fallback).")
@click.option(
    "--profile",
    "profile_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Site profile file instead of --site.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: record and warnings.")
def parse(
    files: tuple[Path, ...],
    url: str | None,
    site: str | None,
    profile_file: str | None,
    as_json: bool,
) -> None:
    """Parse saved pages (HTML, or gzip of it) into their records: no database, no network.

    The record is the one the archive would store. Many FILEs are read with
    one start-up, each with the URL it names; with --json, one object a line,
    its "file" first.
    """
    if site and profile_file:
        raise click.UsageError("--site and --profile name a profile each: give one")
    if url and len(files) > 1:
        raise click.UsageError("--url is one page's URL: give one FILE with it")
    site_profile = _profile(site, profile_file)
    dropped = 0
    for file in files:
        try:
            result = parse_saved(file, url, site_profile)
        except click.UsageError as error:
            if len(files) == 1:
                raise
            result = ParseResult(None, f"no_url: {error.format_message()}")
        dropped += result.article is None
        if as_json:
            record = record_json(result)
            if len(files) > 1:
                record = {"file": str(file), **record}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            if len(files) > 1:
                click.echo(click.style(f"== {file}", bold=True))
            _print_record(result, site_profile)
    if dropped:
        sys.exit(EXIT_MISMATCH)


def _print_record(result: ParseResult, site_profile: SiteProfile) -> None:
    article = result.article
    if article is None:
        out.say(f"no record: {result.drop_reason}")
    else:
        sources = article.field_sources
        out.say(out.Bold(article.title), f"  [{sources.get('title')}]")
        out.say(f"{article.site}/{article.article_id} · {article.kind} · {article.language}")
        out.say(article.url)
        when = article.published_local or "undated"
        if article.published_at:
            when += f" ({article.published_at} UTC)"
        out.say(f"published {when}  [{sources.get('published', '-')}]")
        if article.authors:
            out.say(f"by {', '.join(article.authors)}  [{sources.get('authors')}]")
        out.say(
            f"{article.word_count} words  [{sources.get('body', '-')}] · "
            f"{len(article.images)} images · {len(article.related)} related"
            + ("" if article.related_complete else " (incomplete)")
        )
        out.article_text(article.body, article.subheadings, sources, sources_label="field sources")
    out.say(f"profile: {site_profile.name} ({site_profile.source})")
    for warning in result.warnings:
        out.say(f"warning: {warning}")


# -- checking a profile against its saved pages -------------------------------------------


@dataclass
class FieldCheck:
    name: str
    ok: bool
    expected: Any = None
    got: Any = None


@dataclass
class PageCheck:
    test: ProfileTest
    fields: list[FieldCheck] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.fields)


def check_profile(site_profile: SiteProfile) -> list[PageCheck]:
    """Each of the profile's tests: its page parsed, compared field by field with the expectation.

    The expectation names the fields it checks (a hand-checked page may name
    only its title and date); ``drop_reason`` checks a page that gives no record.
    """
    checks = []
    for test in site_profile.tests:
        missing = [str(path) for path in (test.file, test.expect) if not path.is_file()]
        if missing:
            checks.append(PageCheck(test, [FieldCheck("files", False, missing, "(missing)")]))
            continue
        expected = json.loads(test.expect.read_text(encoding="utf-8"))
        got = record_json(parse_saved(test.file, test.url, site_profile))
        got.setdefault("drop_reason", None)
        page = PageCheck(test)
        for name, value in expected.items():
            if name not in got:
                page.fields.append(FieldCheck(name, False, value, "(no such field)"))
            else:
                ok = field_matches(name, value, got[name])
                page.fields.append(FieldCheck(name, ok, value, got[name]))
        extra = ("warnings", "drop_reason")
        page.unchecked = [n for n in got if n not in expected and n not in extra]
        checks.append(page)
    return checks


@click.group()
def profile() -> None:
    """Site profiles: check one against the saved pages it lists, record a page's expectation."""


@profile.command("check")
@click.argument("name_or_file")
def profile_check(name_or_file: str) -> None:
    """Run a profile's tests (its saved pages and their records); exit 1 on any mismatch.

    NAME_OR_FILE is a site's name (ARCHIVE_SITES_DIR, then the built-in
    profiles) or a profile file.
    """
    as_file = name_or_file.endswith(".toml") or Path(name_or_file).is_file()
    site_profile = _profile(None if as_file else name_or_file, name_or_file if as_file else None)
    checks = check_profile(site_profile)
    out.say(f"profile {site_profile.name} ({site_profile.source}): valid")
    if not checks:
        out.say("it lists no tests (tests = [{ file = ..., expect = ... }])")
        return
    for page in checks:
        out.say(f"\n{page.test.file.name}  ({'ok' if page.ok else 'MISMATCH'})")
        for check in page.fields:
            if check.ok:
                out.say(f"  ok        {check.name}")
            else:
                out.say(f"  MISMATCH  {check.name}")
                out.say(f"      expected {_short(check.expected)}")
                out.say(f"      got      {_short(check.got)}")
        if page.unchecked:
            out.say(f"  not checked: {', '.join(page.unchecked)}")
    failed = sum(not page.ok for page in checks)
    out.say(f"\n{len(checks)} pages, {failed} with mismatches")
    if failed:
        sys.exit(EXIT_MISMATCH)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:297] + "..."


# -- recording a page's expectation -------------------------------------------------------


def expectation(result: ParseResult) -> dict[str, Any]:
    """What an expect file holds for a page: its record as `profile check` reads it (the
    warnings left out: they are the page's, not the profile's), or the reason it gives none."""
    if result.article is None:
        return {"drop_reason": result.drop_reason}
    record = record_json(result)
    record.pop("warnings")
    return record


def listed_test(site_profile: SiteProfile, page: Path) -> ProfileTest | None:
    """The profile's test of this saved page, if it lists one."""
    wanted = page.resolve()
    return next((t for t in site_profile.tests if t.file.resolve() == wanted), None)


@profile.command("record")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--profile",
    "profile_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The site profile file the page is parsed with.",
)
@click.option(
    "--url",
    help="The page's URL (default: the profile's test of the page, else its canonical URL).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The expect file (default: the one the profile's test names, else PAGE.expected.json).",
)
def profile_record(page: Path, profile_file: str, url: str | None, output: Path | None) -> None:
    """Write the expect file of a saved page (HTML, or gzip of it) from its record today.

    Once `news-archive parse PAGE --profile FILE` shows the record right, this
    keeps it: `profile check` then holds the profile to it. The file is the
    record as `profile check` reads it, every field (delete those the test
    should not hold); a page that gives no record is recorded by its reason.
    """
    site_profile = _profile(None, profile_file)
    test = listed_test(site_profile, page)
    url = url or (test.url if test is not None else None)
    target = output or (test.expect if test is not None else _beside(page))
    result = parse_saved(page, url, site_profile)
    recorded = expectation(result)
    try:
        write_expect(target, recorded)
    except (OSError, NotAFileError) as error:
        raise click.ClickException(f"cannot write {target}: {error}") from None
    if result.article is None:
        out.say(f"wrote {target}: the page gives no record ({result.drop_reason})")
    else:
        out.say(f"wrote {target}: {len(recorded)} fields of {page.name}'s record")
    for warning in result.warnings:
        out.say(f"warning: {warning}")
    if test is None or test.expect.resolve() != target.resolve():
        out.say(f"for profile check to read it, {profile_file} lists it:")
        out.say(_tests_entry(Path(profile_file), page, target, url))


def _beside(page: Path) -> Path:
    name = page.name.removesuffix(".gz")
    return page.with_name(name.rsplit(".", 1)[0] + ".expected.json")


def _tests_entry(profile_path: Path, page: Path, expect: Path, url: str | None) -> str:
    """The ``[[tests]]`` table naming the page and its expect file, relative to the profile."""
    lines = [
        "[[tests]]",
        f"file = {json.dumps(_relative(page, profile_path.parent), ensure_ascii=False)}",
        f"expect = {json.dumps(_relative(expect, profile_path.parent), ensure_ascii=False)}",
    ]
    if url:
        lines.append(f"url = {json.dumps(url, ensure_ascii=False)}")
    return "\n".join(lines)


def _relative(path: Path, directory: Path) -> str:
    try:
        return str(path.resolve().relative_to(directory.resolve()))
    except ValueError:
        return str(path.resolve())
