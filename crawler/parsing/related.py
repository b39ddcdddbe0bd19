"""The related-article list that pages embed as JSON in their raw text.

Where a site hides it is the profile's ``[related]`` table: a PHP
``var_dump`` printed raw into the HTML (``string(2283) "[{...} ,{...} ]"``,
2283 being the UTF-8 byte length of the JSON, as on alalam_en), JavaScript
variables (``var related = [...]``), JSON in a script element (``script_json``,
with a path to the list), HTML-escaped attributes; and, unless the profile
turns it off, any JavaScript array literal of objects that carry an id and a
title, whatever the variable's name (its *shape*). Every source is read and
the copies are merged in page order, the first mention of an id winning.

A warning says where it looked and what it found there, for the profile's
author: which source an entry without a usable id came from and which key it
lacks (``entry 3 of the var_dump has no 'id' key (its keys: 'ID', 'title')``),
what a script_json element holds where its path goes missing, and, when no
source matched, what was looked for.

It is read from the response text, never from the DOM: the dump is not
markup, a parser would mangle the quotes inside it, and the crawl's core
reads the ids of every page (`related_ids`) without the cost of a parse.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import chompjs
from cssselect import parse as parse_css

from crawler.items import RelatedLink
from crawler.parsing.jsondata import TooDeep, decode_json, load_json
from crawler.parsing.kind import classify
from crawler.parsing.text import normalise_text
from crawler.parsing.urls import absolute_http_url
from crawler.sites.profile import NUMBER, EntryKeys

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.sites.profile import ScriptJson, SiteProfile

DUMP_PREFIX = re.compile(r'string\((\d+)\) "')
"""How a var_dump begins; the parser also uses it to keep a dump out of the body."""

_RAW_JSON_START = re.compile(r'\s*\[\s*(?:\{\s*"|\])')
_WS_AND_COMMAS = re.compile(r"[\s,]*")
_DECLARATION_BEFORE = re.compile(r"(?:\b(?:var|let|const)\s+|\bwindow\.)$")
# An assignment of an array of objects: `<name> = [{`. It begins with a literal so
# that `re` skips through the page quickly; the name before it is checked by hand.
_ARRAY_OF_OBJECTS = re.compile(r"=\s*(?=\[\s*\{)")
_NAME_BEFORE = re.compile(r"[\w$\]\)'\"]\s*$")
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script\s*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


@dataclass
class RelatedExtraction:
    links: list[RelatedLink] = field(default_factory=list)
    complete: bool = True
    """False when a copy of the list was cut short or could not be read."""
    found: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def article_ids(self) -> list[str]:
        return [link.article_id for link in self.links]


@dataclass
class _Source:
    entries: list[Any]
    complete: bool
    warnings: list[str]
    keys: EntryKeys = field(default_factory=EntryKeys)
    origin: str = "the list"
    """Where in the page it is, as a warning names it (``the var_dump``, ``attribute 'x'``)."""
    is_list: bool = True
    """False for a source whose element is there without a list where the profile says."""


def extract_related(text: str, profile: SiteProfile) -> RelatedExtraction:
    """Every related article the page lists, normalised, in page order."""
    result = RelatedExtraction()
    entries: list[tuple[Any, _Source, int]] = []
    for _, source in sorted(_sources(text, profile), key=lambda found: found[0]):
        result.found |= source.is_list
        result.complete &= source.complete
        result.warnings.extend(source.warnings)
        entries.extend((entry, source, n) for n, entry in enumerate(source.entries, 1))
    if not result.found and not any(w.startswith("related_missing") for w in result.warnings):
        result.warnings.append(
            f"related_missing: no related list in the page (looked for {_looked_for(profile)})"
        )
    result.links = _normalise(entries, profile, result.warnings)
    return result


def _looked_for(profile: SiteProfile) -> str:
    """The sources the profile reads, as the warning of a page with none of them names them."""
    rules = profile.related
    sources = ["a var_dump"] if rules.var_dump else []
    sources += [f"script variable {name!r}" for name in rules.script_vars]
    sources += [f"attribute {name!r}" for name in rules.attributes]
    sources += [f"script_json {source.selector}" for source in rules.script_json]
    if rules.shape:
        keys = rules.keys
        sources.append(f"an array of objects with {keys.id!r} and {keys.title!r}")
    return ", ".join(sources) or "nothing: [related] names no source"


def related_ids(text: str, profile: SiteProfile) -> tuple[list[str], int]:
    """The ids to follow, in page order, and how many entries had no usable id.

    What a spider needs from the list, for a fraction of `extract_related`'s
    cost: no titles, no media URLs, no warnings.
    """
    ids: list[str] = []
    seen: set[str] = set()
    invalid = 0
    ignored: list[str] = []
    for _, source in sorted(_sources(text, profile), key=lambda found: found[0]):
        keys = source.keys
        for entry in source.entries:
            article_id = (
                _entry_id(entry, keys, profile, ignored) if isinstance(entry, dict) else None
            )
            if article_id is None:
                invalid += 1
            elif article_id not in seen:
                seen.add(article_id)
                ids.append(article_id)
    return ids, invalid


def _sources(text: str, profile: SiteProfile) -> Iterator[tuple[int, _Source]]:
    """Every copy of the list, with where it starts.

    Each pattern begins with a literal so that `re` can skip through the page
    quickly; the context a match needs is then checked by hand.
    """
    rules = profile.related
    keys = rules.keys
    if rules.var_dump:
        for match in DUMP_PREFIX.finditer(text):
            source = _read_dump(text, match.end(), int(match.group(1)))
            yield match.start(), _keyed(source, keys, "the var_dump")
    named: set[int] = set()
    for name, pattern in zip(rules.script_vars, _script_patterns(rules.script_vars), strict=True):
        for match in pattern.finditer(text):
            if _DECLARATION_BEFORE.search(text, max(0, match.start() - 16), match.start()):
                named.add(match.end())
                source = _read_array(text, match.end(), "script")
                yield match.start(), _keyed(source, keys, f"script variable {name!r}")
    for name, pattern in zip(rules.attributes, _attribute_patterns(rules.attributes), strict=True):
        for match in pattern.finditer(text):
            if match.start() > 0 and text[match.start() - 1].isspace():
                source = _read_attribute(text, match.end(), match.group(1))
                yield match.start(), _keyed(source, keys, f"attribute {name!r}")
    if rules.script_json:
        yield from _script_json_sources(text, rules.script_json)
    if rules.shape:
        for match in _ARRAY_OF_OBJECTS.finditer(text):
            if match.end() in named or match.start() == 0 or text[match.start() - 1] in "=!<>":
                continue
            if _NAME_BEFORE.search(text, max(0, match.start() - 64), match.start()):
                source = _read_array(text, match.end(), "script")
                if _has_shape(source.entries, keys):
                    yield match.start(), _keyed(source, keys, "an array of objects (its shape)")


def _keyed(source: _Source, keys: EntryKeys, origin: str) -> _Source:
    source.keys = keys
    source.origin = origin
    return source


def _has_shape(entries: list[Any], keys: EntryKeys) -> bool:
    """A list of related articles: objects, each with an id and a title."""
    return bool(entries) and all(
        isinstance(entry, dict)
        and (_value(entry, keys.id) is not None or (keys.url and _value(entry, keys.url)))
        and _value(entry, keys.title) is not None
        for entry in entries
    )


def _script_json_sources(
    text: str, sources: tuple[ScriptJson, ...]
) -> Iterator[tuple[int, _Source]]:
    """Lists inside JSON in script elements, found by the elements' own attributes."""
    for match in _SCRIPT.finditer(text):
        attributes = _attributes(match.group(1))
        wanted = [s for s in sources if _script_matches(_script_selector(s.selector), attributes)]
        if not wanted:
            continue
        end = _SCRIPT_END.search(text, match.end())
        content = text[match.end() : end.start() if end else len(text)]
        try:
            data = load_json(content)
        except TooDeep:
            warning = "related_unreadable: script JSON is nested too deeply"
            yield match.start(), _Source([], False, [warning])
            continue
        except ValueError:
            yield match.start(), _Source([], False, ["related_unreadable: script JSON is broken"])
            continue
        for source in wanted:
            origin = f"script_json {source.selector} at {source.path!r}"
            value, reached, there = _at_path(data, source.path)
            if isinstance(value, list):
                yield match.start(), _Source(value, True, [], source.keys, origin)
                continue
            if reached != source.path:
                where = f"{reached!r} holds" if reached else "its JSON is"
                warning = (
                    f"related_missing: {source.selector} is in the page, its JSON has nothing "
                    f"at {source.path!r}: {where} {_describe(there)}"
                )
                yield match.start(), _Source([], True, [warning], source.keys, origin, False)
            elif value is None:
                warning = f"related_missing: {source.selector} holds null at {source.path!r}"
                yield match.start(), _Source([], True, [warning], source.keys, origin, False)
            else:
                warning = (
                    f"related_unreadable: {source.path!r} in {source.selector} is not a list "
                    f"but {_describe(value)}"
                )
                yield match.start(), _Source([], False, [warning], source.keys, origin)


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).lower()
        value = next((v for v in match.groups()[1:] if v is not None), "")
        found.setdefault(name, html.unescape(value))
    return found


@lru_cache(maxsize=32)
def _script_selector(selector: str) -> list[tuple[str, str, str | None]]:
    """A selector of the script element as (attribute, operator, value) tests (see the loader)."""
    tests: list[tuple[str, str, str | None]] = []
    tree: Any = parse_css(selector)[0].parsed_tree
    while type(tree).__name__ != "Element":
        kind = type(tree).__name__
        if kind == "Hash":
            tests.append(("id", "=", tree.id))
        elif kind == "Class":
            tests.append(("class", "~=", tree.class_name))
        else:
            value = tree.value.value if tree.value is not None else None
            tests.append((tree.attrib.lower(), tree.operator, value))
        tree = tree.selector
    return tests


def _script_matches(tests: list[tuple[str, str, str | None]], attributes: dict[str, str]) -> bool:
    for name, operator, value in tests:
        if name not in attributes:
            return False
        if operator == "=" and attributes[name] != value:
            return False
        if operator == "~=" and value not in attributes[name].split():
            return False
    return True


def _at_path(data: Any, path: str) -> tuple[Any, str, Any]:
    """``props.pageProps.story.related`` in parsed JSON (a number step indexes a list): the
    value there, or None; and the longest part of the path that is there, with its value."""
    reached: list[str] = []
    for step in path.split(".") if path else ():
        if isinstance(data, dict) and step in data:
            data = data[step]
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None, ".".join(reached), data
        reached.append(step)
    return data, path, data


def _describe(value: Any) -> str:
    """What a JSON value is, for a warning: its type, and an object's keys."""
    if isinstance(value, dict):
        return f"an object with {_keys(value)}" if value else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    return "null" if value is None else _short(value)


def _keys(entry: dict[str, Any], most: int = 8) -> str:
    names = [repr(name) for name in list(entry)[:most]]
    more = ", ..." if len(entry) > most else ""
    return f"keys {', '.join(names)}{more}" if names else "no keys"


@lru_cache(maxsize=16)
def _script_patterns(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(rf"{re.escape(name)}\s*=\s*(?=\[)") for name in names]


@lru_cache(maxsize=16)
def _attribute_patterns(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(rf"{re.escape(name)}\s*=\s*([\"'])") for name in names]


def _read_dump(text: str, start: int, declared: int) -> _Source:
    if _RAW_JSON_START.match(text, start):
        return _read_raw_dump(text, start, declared)
    # Printed through an HTML escaper, the JSON holds no raw quote: the next one ends it.
    end = text.find('"', start)
    escaped = text[start : end if end >= 0 else len(text)]
    if "&" not in escaped:
        return _Source([], False, ["related_unreadable: var_dump does not hold a JSON array"])
    json_text = html.unescape(escaped)
    source = _read_array(json_text, 0, "var_dump")
    _check_length(json_text.encode(), declared, source)
    return source


def _read_raw_dump(text: str, start: int, declared: int) -> _Source:
    # The declared length is in UTF-8 bytes; that many characters are at least that many bytes.
    window = text[start : start + declared].encode()[:declared]
    try:
        json_text = window.decode()
    except UnicodeDecodeError:
        json_text = None
    if json_text is not None and len(window) == declared:
        closes = text.startswith('"', start + len(json_text))
        try:
            value = load_json(json_text)
        except ValueError:  # read again below, to say what is wrong
            value = None
        if closes and isinstance(value, list):
            return _Source(value, True, [])
    source = _read_array(text, start, "var_dump")
    if source.complete:
        _, end = decode_json(text, _skip_ws(text, start))
        _check_length(text[start:end].encode(), declared, source)
    return source


def _check_length(found: bytes, declared: int, source: _Source) -> None:
    if source.complete and len(found) != declared:
        source.warnings.append(
            f"related_length_mismatch: var_dump declares {declared} bytes, "
            f"the array has {len(found)}"
        )


def _read_attribute(text: str, start: int, quote: str) -> _Source:
    end = text.find(quote, start)
    value = html.unescape(text[start : end if end >= 0 else len(text)])
    return _read_array(value, 0, "attribute")


def _read_array(text: str, start: int, where: str) -> _Source:
    """A JSON array at `start`; if it is broken, the whole objects before the break."""
    position = _skip_ws(text, start)
    if not text.startswith("[", position):
        return _Source([], False, [f"related_unreadable: {where} does not hold a JSON array"])
    why = "breaks"
    try:
        value, _ = decode_json(text, position)
    except TooDeep:
        why, value = "is nested too deeply", None
    except ValueError:
        try:
            value = _javascript_array(text, position) if where == "script" else None
        except TooDeep:
            why, value = "is nested too deeply", None
    if isinstance(value, list):
        return _Source(value, True, [])
    entries: list[Any] = []
    position += 1
    while True:
        position = _WS_AND_COMMAS.match(text, position).end()  # type: ignore[union-attr]
        if not text.startswith("{", position):
            break
        try:
            entry, position = decode_json(text, position)
        except TooDeep:
            why = "is nested too deeply"
            break
        except ValueError:
            break
        entries.append(entry)
    warning = f"related_cut_short: {where} array {why} after {len(entries)} whole entries"
    return _Source(entries, False, [warning])


def _javascript_array(text: str, position: int) -> list[Any] | None:
    """A JavaScript array literal that is not JSON (bare keys, single quotes, trailing commas)."""
    try:
        value = chompjs.parse_js_object(text[position:], loader=load_json)
    except TooDeep:
        raise
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, list) else None


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _normalise(
    entries: list[tuple[Any, _Source, int]], profile: SiteProfile, warnings: list[str]
) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    seen: set[str] = set()
    for entry, source, number in entries:
        keys = source.keys
        if not isinstance(entry, dict):
            warnings.append(
                f"related_bad_entry: entry {number} of {source.origin} is {_short(entry)}"
            )
            continue
        article_id = _entry_id(entry, keys, profile, warnings)
        if article_id is None:
            warnings.append(f"related_invalid_id: {_invalid_id(entry, keys, source, number)}")
            continue
        if article_id in seen:
            continue
        seen.add(article_id)
        title = _title(_value(entry, keys.title))
        media_url = _media_url(_value(entry, keys.media), profile, warnings) if keys.media else None
        links.append(
            RelatedLink(
                article_id=article_id,
                title=title,
                sort=_integer(entry, keys.sort, warnings),
                content_type_id=_integer(entry, keys.content_type_id, warnings),
                media_url=media_url,
                kind=classify(title, media_url, profile),
                position=len(links),
            )
        )
    return links


def _invalid_id(entry: dict[str, Any], keys: EntryKeys, source: _Source, number: int) -> str:
    """Why an entry names no article, for its warning: the key it lacks, or the value it has."""
    where = f"entry {number} of {source.origin}"
    given, key = _value(entry, keys.id), keys.id
    if given is None and keys.url:
        given, key = _value(entry, keys.url), keys.url
    if given is None:
        wanted = f"{keys.id!r} nor {keys.url!r} key" if keys.url else f"{keys.id!r} key"
        return f"{where} has no {wanted} (its {_keys(entry)}); not followed"
    return f"{_short(given)} under {key!r} in {where} is no article id; not followed"


def _value(entry: dict[str, Any], key: str | None) -> Any:
    """An entry's value under `key`; ``a.b`` reaches into nested objects."""
    if key is None:
        return None
    if key in entry or "." not in key:
        return entry.get(key)
    value: Any = entry
    for step in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _entry_id(
    entry: dict[str, Any], keys: EntryKeys, profile: SiteProfile, warnings: list[str]
) -> str | None:
    """The id an entry names: its id key, else the id of the article URL under its url key."""
    value = _value(entry, keys.id)
    if value is None and keys.url:
        url = _value(entry, keys.url)
        return _id_from_link(url, profile) if isinstance(url, str) else None
    return _article_id(value, profile, warnings)


def _id_from_link(link: str, profile: SiteProfile) -> str | None:
    """An article link's id, if it is a path or on the site's own host (never another site's)."""
    url = absolute_http_url(profile.base_url + "/", link)
    if url is None or urlsplit(url).hostname != profile.host:
        return None
    return profile.article_id_from_url(url)


def _article_id(value: Any, profile: SiteProfile, warnings: list[str]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        # An integer too long to be an id is none (and str() refuses the very longest).
        value = str(value) if value.bit_length() < 1024 else ""
    if not isinstance(value, str):
        return None
    given = value.strip()
    article_id = profile.canonical_id(given)
    if article_id is not None and article_id != given and profile.article.id_kind == NUMBER:
        warnings.append(f"related_id_leading_zeros: {_short(value)} read as {article_id}")
    return article_id


def _title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return normalise_text(html.unescape(value)) or None


def _integer(entry: dict[str, Any], key: str | None, warnings: list[str]) -> int | None:
    if key is None:
        return None
    value = _value(entry, key)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    warnings.append(f"related_bad_number: {key}={_short(value)}")
    return None


def _media_url(pic: Any, profile: SiteProfile, warnings: list[str]) -> str | None:
    if not isinstance(pic, str) or not pic.strip():
        return None
    pic = pic.strip()
    if pic.startswith("/") and not pic.startswith("//") and "/." not in pic:
        return profile.media_base.rstrip("/") + pic  # urljoin's answer for a plain path, faster
    url = absolute_http_url(profile.media_base, pic)
    if url is None:
        warnings.append(f"related_bad_media_url: {_short(pic)}")
        return None
    return url


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
