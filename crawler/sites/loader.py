"""A site's TOML file to a checked `SiteProfile`, or one line saying what is wrong.

The file is read strictly: an unknown key is an error (with the key it was
probably meant to be), every value has its type, every selector and regular
expression compiles, the URL template holds ``{id}`` and gives back its id,
the time zone exists. A profile that loads is one the crawler can run.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from cssselect import parse as parse_css
from parsel.csstranslator import HTMLTranslator

from crawler.parsing.urls import same_origin
from crawler.parsing.written_dates import CALENDARS, DateLocaleError, check_format, check_locale
from crawler.sites.durations import parse_duration
from crawler.sites.patterns import PatternError, compile_pattern
from crawler.sites.profile import (
    ID_KINDS,
    KINDS,
    NUMBER,
    SLUG,
    ArticleRules,
    Discovery,
    EntryKeys,
    FieldRules,
    KindRules,
    ProfileTest,
    RelatedRules,
    ScriptJson,
    SiteProfile,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_CSS = HTMLTranslator()
_TIME_DIRECTIVES = re.compile(r"%[HIMSXcTRrp]")
# What a sample id must look like for each kind, to prove the template and pattern agree.
_SAMPLE_IDS = {NUMBER: "1234567"}
_SAMPLE_SLUG = "sample-id"


class ProfileError(ValueError):
    """A profile file that cannot be used: ``profile FILE: KEY: problem``."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        where = f"{key}: " if key else ""
        super().__init__(f"profile {source}: {where}{problem}")
        self.source, self.key, self.problem = source, key, problem


def load_profile(path: str | Path) -> SiteProfile:
    """Read and check a profile file."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProfileError(str(file), "", f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ProfileError(str(file), "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(str(file), "", f"is not valid TOML ({error})") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ProfileError(str(file), "", "nests its arrays or tables too deep to read") from None
    return profile_from_data(data, source=file)


def profile_from_data(data: dict[str, Any], *, source: Path) -> SiteProfile:
    top = _Table(data, "", str(source))
    name = top.text("name", required=True)
    if not _NAME.fullmatch(name):
        top.fail("name", f"{name!r} must be lower-case letters, digits, _ or - (at most 64)")
    base_url = top.text("base_url", required=True)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        top.fail("base_url", f"{base_url!r} must be http(s)://host[:port], without a path")
    language = top.text("language")
    time_zone = top.text("time_zone")
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            top.fail("time_zone", f"{time_zone!r} is not an IANA time zone (e.g. Europe/London)")
    article = _article(top.table("article", required=True), base_url.rstrip("/"))
    profile = SiteProfile(
        name=name,
        base_url=base_url.rstrip("/"),
        article=article,
        language=language,
        time_zone=time_zone,
        fields=_fields(top.table("fields")),
        related=_related(top.table("related")),
        kind=_kind(top.table("kind")),
        discovery=_discovery(top.table("discovery")),
        tests=_tests(top, source),
        source=source,
    )
    top.done()
    return profile


# -- the tables ------------------------------------------------------------------------


def _article(table: _Table, base_url: str) -> ArticleRules:
    url = table.text("url", required=True)
    problem = _template_problem(url)
    if problem:
        table.fail("url", f"{url!r} {problem}")
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(url)
            if name is not None
        ]
    except ValueError as error:
        table.fail("url", f"{url!r} is not a template: {error}")
    if {name for name, _, _ in fields} != {"id"} or any(spec or conv for _, spec, conv in fields):
        table.fail("url", f"{url!r} must hold {{id}} and no other placeholder")
    pattern = table.regex("id_pattern", required=True)
    if compile_pattern(pattern).groups < 1:
        table.fail("id_pattern", "needs a group: its first group is the id")
    id_kind = table.choice("id_kind", ID_KINDS, default=SLUG)
    for probe in (_SAMPLE_IDS.get(id_kind, _SAMPLE_SLUG), "a/b"):
        if not same_origin(urljoin(base_url + "/", url.format(id=probe)), base_url):
            table.fail("url", f"{url!r} leaves base_url's origin ({base_url}) {_ON_ORIGIN}")
    sample = _SAMPLE_IDS.get(id_kind)
    if sample is not None:
        path = urlsplit("http://h" + url.format(id=sample)).path
        match = compile_pattern(pattern).match(path)
        if match is None or match.group(1) != sample:
            table.fail(
                "id_pattern", f"does not give back the id of {url.format(id=sample)} ({sample})"
            )
    table.done()
    return ArticleRules(url=url, id_pattern=pattern, id_kind=id_kind)


def _fields(table: _Table) -> FieldRules:
    default = FieldRules()
    date_locale = table.text("date_locale")
    if date_locale is not None:
        try:
            check_locale(date_locale)
        except DateLocaleError as error:
            table.fail("date_locale", str(error))
    calendar = table.choice("calendar", CALENDARS, default=default.calendar)
    written = date_locale is not None or calendar != default.calendar
    check_date = (lambda fmt: check_format(fmt, date_locale, calendar)) if written else _date_format
    rules = FieldRules(
        title=table.selectors("title"),
        published=table.selectors("published"),
        date_formats=table.strings("date_formats", check=check_date),
        date_locale=date_locale,
        calendar=calendar,
        body=table.selectors("body"),
        exclude=table.selectors("exclude"),
        authors=table.selectors("authors"),
        image_block=table.selector("image_block") or default.image_block,
        caption=table.selector("caption") or default.caption,
        subheading_tags=table.strings("subheading_tags", default=default.subheading_tags),
        bold_subheadings=table.flag("bold_subheadings"),
        quote_artefact=table.flag("quote_artefact"),
        desk_code=table.selectors("desk_code"),
        desk_code_pattern=table.regex("desk_code_pattern"),
    )
    table.done()
    return rules


def _related(table: _Table) -> RelatedRules:
    script_json = []
    for entry in table.tables("script_json"):
        selector = entry.text("selector", required=True)
        _check_script_selector(entry, "selector", selector)
        path = entry.text("path") or ""
        keys = _entry_keys(entry)
        entry.done()
        script_json.append(ScriptJson(selector=selector, path=path, keys=keys))
    rules = RelatedRules(
        var_dump=table.flag("var_dump"),
        script_vars=table.strings("script_vars", check=_identifier),
        script_json=tuple(script_json),
        attributes=table.strings("attributes", check=_attribute_name),
        shape=table.flag("shape", default=True),
        keys=_entry_keys(table.table("keys"), done=True),
        media_base=table.text("media_base"),
    )
    if rules.media_base is not None and urlsplit(rules.media_base).scheme not in ("http", "https"):
        table.fail("media_base", f"{rules.media_base!r} is not an http(s) URL")
    table.done()
    return rules


def _entry_keys(table: _Table, *, done: bool = False) -> EntryKeys:
    keys = EntryKeys(
        id=table.text("id") or "id",
        title=table.text("title") or "title",
        url=table.text("url"),
        sort=table.text("sort"),
        content_type_id=table.text("content_type_id"),
        media=table.text("media"),
    )
    if done:
        table.done()
    return keys


def _kind(table: _Table) -> KindRules:
    prefixes = table.mapping("title_prefixes")
    for prefix, kind in prefixes:
        if kind not in KINDS:
            table.fail(f"title_prefixes.{prefix}", f"{kind!r} is not a kind ({', '.join(KINDS)})")
    rules = KindRules(
        title_prefixes=prefixes, video_media_suffixes=table.strings("video_media_suffixes")
    )
    table.done()
    return rules


def _discovery(table: _Table) -> Discovery:
    paths = {}
    for key in ("feeds", "sitemaps", "listings", "front_pages"):
        paths[key] = table.strings(key, check=_path)
    max_age_days = table.number("max_age_days")
    if max_age_days is not None and max_age_days <= 0:
        table.fail("max_age_days", f"{max_age_days!r} is not a positive number of days")
    defaults = Discovery()
    discovery = Discovery(
        **paths,
        listing_links=table.selector("listing_links") or defaults.listing_links,
        robots_sitemaps=table.flag("robots_sitemaps", default=defaults.robots_sitemaps),
        max_age_days=defaults.max_age_days if max_age_days is None else max_age_days,
        every=_every(table),
    )
    table.done()
    return discovery


def _every(table: _Table) -> timedelta | None:
    text = table.text("every")
    if text is None:
        return None
    every = parse_duration(text)
    if every is None:
        table.fail("every", f"{text!r} is not a duration ('90s', '15m', '1h30m', '1d')")
    return every


def _tests(top: _Table, source: Path) -> tuple[ProfileTest, ...]:
    tests = []
    for entry in top.tables("tests"):
        file = source.parent / entry.text("file", required=True)
        expect = source.parent / entry.text("expect", required=True)
        url = entry.text("url")
        entry.done()  # the files are looked for by `profile check`, not by a crawl
        tests.append(ProfileTest(file=file, expect=expect, url=url))
    return tuple(tests)


# -- checks of single values -------------------------------------------------------------


_ON_ORIGIN = "(an article URL is a path on base_url's origin, e.g. /news/{id})"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ENCODED_SEPARATOR = re.compile(r"%(?:2f|5c)", re.IGNORECASE)
# URL parsers drop tab and newline and trim spaces: "/\t/host" is read as "//host".
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def _template_problem(url: str) -> str | None:
    """Why an article URL template could leave base_url's origin, or None.

    The template is a path: one that names a scheme, begins with ``//`` (a
    network-path reference: another host), or holds what a browser or URL
    parser may read as a host or a separator (``@``, a backslash, ``%2f``,
    ``%5c``, blanks and control characters) is refused whatever it does today.
    """
    if _SCHEME.match(url):
        return f"names a scheme {_ON_ORIGIN}"
    if not url.startswith("/") or url.startswith("//"):
        return f"must be a path beginning with / (one, not //) {_ON_ORIGIN}"
    for found, what in (
        ("\\" in url, "a backslash"),
        ("@" in url, "an @"),
        (_ENCODED_SEPARATOR.search(url) is not None, "an encoded slash (%2f or %5c)"),
        (_INVISIBLE.search(url) is not None, "a blank or control character"),
    ):
        if found:
            return f"holds {what}, which could take the URL to another host {_ON_ORIGIN}"
    return None


def _date_format(value: str) -> str | None:
    try:
        datetime.strptime("", value)
    except ValueError as error:
        if "directive" in str(error):
            return f"{value!r}: {error}"
    return None


def _identifier(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", value) is None:
        return f"{value!r} is not a JavaScript variable name"
    return None


def _attribute_name(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z_:][-\w:.]*", value) is None:
        return f"{value!r} is not an HTML attribute name"
    return None


def _path(value: str) -> str | None:
    # "//host/x" begins with / but is a URL of another host (RFC 3986 network-path reference).
    if not value.startswith("/") or value.startswith("//"):
        return (
            f"{value!r} is not a path on the site: it must be a path beginning with / "
            "(not //: the host is base_url's)"
        )
    return None


def _check_script_selector(table: _Table, key: str, selector: str) -> None:
    """The selector must name the script element by its own attributes (see ScriptJson)."""
    try:
        parsed = parse_css(selector)
    except SelectorError as error:
        table.fail(key, f"{selector!r} is not CSS: {error}")
    problem = (
        None
        if len(parsed) == 1 and _simple_script(parsed[0].parsed_tree)
        else "must select the script element by its own tag, #id, .class or [attribute=value] "
        "(it is found without parsing the page), e.g. script#__NEXT_DATA__"
    )
    if problem:
        table.fail(key, f"{selector!r} {problem}")


def _simple_script(tree: Any) -> bool:
    kind = type(tree).__name__
    if kind == "Element":
        return (tree.element or "").lower() == "script"
    if kind in ("Hash", "Class"):
        return _simple_script(tree.selector)
    if kind == "Attrib":
        return tree.operator in ("exists", "=") and _simple_script(tree.selector)
    return False


# -- reading a table strictly ----------------------------------------------------------


class _Table:
    """One TOML table: typed reads, each remembered, then `done` refuses the rest."""

    def __init__(self, data: Any, path: str, source: str) -> None:
        self.path, self.source = path, source
        if not isinstance(data, dict):
            self.fail("", f"must be a table, not {_type(data)}")
        self.data: dict[str, Any] = data
        self.read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> Any:
        raise ProfileError(self.source, self.key(name) if name else self.path, problem)

    def _get(self, name: str, required: bool) -> Any:
        self.read.add(name)
        if name not in self.data:
            if required:
                close = difflib.get_close_matches(name, [str(k) for k in self.data], n=1)
                hint = f" (is {close[0]!r} a misspelling of it?)" if close else ""
                self.fail(name, f"is required{hint}")
            return None
        return self.data[name]

    def _typed(self, name: str, value: Any, kind: type, what: str) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(name, f"must be {what}, not {_type(value)}")
        return value

    def text(self, name: str, *, required: bool = False) -> Any:
        value = self._get(name, required)
        if value is None:
            return None
        self._typed(name, value, str, "a string")
        if not value.strip():
            self.fail(name, "is empty")
        return value

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self._get(name, False)
        return default if value is None else self._typed(name, value, bool, "true or false")

    def number(self, name: str) -> float | None:
        value = self._get(name, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"must be a number, not {_type(value)}")
        return float(value)

    def choice(self, name: str, choices: tuple[str, ...], *, default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        if value not in choices:
            self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def strings(
        self,
        name: str,
        *,
        check: Callable[[str], str | None] | None = None,
        default: tuple[str, ...] = (),
    ) -> tuple[str, ...]:
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        self._typed(name, value, list, "a list of strings")
        for index, item in enumerate(value):
            key = f"{name}[{index}]"
            self._typed(key, item, str, "a string")
            problem = check(item) if check else None
            if problem:
                self.fail(key, problem)
        return tuple(value)

    def selectors(self, name: str) -> tuple[str, ...]:
        return self.strings(name, check=_css_problem)

    def selector(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and (problem := _css_problem(value)):
            self.fail(name, problem)
        return value

    def regex(self, name: str, *, required: bool = False) -> Any:
        value = self.text(name, required=required)
        if value is not None:
            try:
                compile_pattern(value)
            except PatternError as error:
                self.fail(name, f"{value!r} is not a regular expression: {error}")
        return value

    def mapping(self, name: str) -> tuple[tuple[str, str], ...]:
        table = self.table(name)
        pairs = []
        for key, value in table.data.items():
            table._typed(key, value, str, "a string")
            pairs.append((key, value))
        return tuple(pairs)

    def table(self, name: str, *, required: bool = False) -> _Table:
        value = self._get(name, required)
        return _Table({} if value is None else value, self.key(name), self.source)

    def tables(self, name: str) -> list[_Table]:
        value = self._get(name, False)
        if value is None:
            return []
        self._typed(name, value, list, "a list of tables")
        return [_Table(item, f"{self.key(name)}[{n}]", self.source) for n, item in enumerate(value)]

    def done(self) -> None:
        unknown = [key for key in self.data if key not in self.read]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(key, sorted(self.read), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.fail(key, f"unknown key{hint}")


def _css_problem(selector: str) -> str | None:
    try:
        _CSS.css_to_xpath(selector)
    except (SelectorError, ValueError) as error:
        return f"{selector!r} is not a CSS selector: {error}"
    return None


def _type(value: Any) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)
