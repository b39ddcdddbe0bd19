"""The related-article list that pages embed as JSON in their raw text.

On the first site it is a PHP ``var_dump`` printed raw into the HTML:
``string(2283) "[{...} ,{...} ]"``, where 2283 is the UTF-8 byte length of the
JSON. Real pages drift, so the list is also looked for as a JavaScript array
(``var related = [...]``) and HTML-escaped in an attribute, and every copy
found is merged in page order, the first mention of an id winning.

It is read from the response text, never from the DOM: the dump is not
markup, and a parser would mangle the quotes inside it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from crawler.items import RelatedLink
from crawler.parsing.kind import classify
from crawler.parsing.text import normalise_text
from crawler.sites.profile import canonical_id

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.sites.profile import SiteProfile

DUMP_PREFIX = re.compile(r'string\((\d+)\) "')
"""How a var_dump begins; the parser also uses it to keep a dump out of the body."""

_DECODER = json.JSONDecoder()
_RAW_JSON_START = re.compile(r'\s*\[\s*(?:\{\s*"|\])')
_WS_AND_COMMAS = re.compile(r"[\s,]*")
_DECLARATION_BEFORE = re.compile(r"(?:\b(?:var|let|const)\s+|\bwindow\.)$")


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


def extract_related(text: str, profile: SiteProfile) -> RelatedExtraction:
    """Every related article the page lists, normalised, in page order."""
    result = RelatedExtraction()
    entries: list[Any] = []
    for _, source in sorted(_sources(text, profile), key=lambda found: found[0]):
        result.found = True
        result.complete &= source.complete
        result.warnings.extend(source.warnings)
        entries.extend(source.entries)
    if not result.found:
        result.warnings.append("related_missing: no related list in the page")
    result.links = _normalise(entries, profile, result.warnings)
    return result


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
        for entry in source.entries:
            article_id = _article_id(entry.get("id"), ignored) if isinstance(entry, dict) else None
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
    for match in DUMP_PREFIX.finditer(text):
        yield match.start(), _read_dump(text, match.end(), int(match.group(1)))
    for pattern in _script_patterns(profile.related_script_vars):
        for match in pattern.finditer(text):
            if _DECLARATION_BEFORE.search(text, max(0, match.start() - 16), match.start()):
                yield match.start(), _read_array(text, match.end(), "script")
    for pattern in _attribute_patterns(profile.related_attributes):
        for match in pattern.finditer(text):
            if match.start() > 0 and text[match.start() - 1].isspace():
                yield match.start(), _read_attribute(text, match.end(), match.group(1))


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
            value = json.loads(json_text)
        except (ValueError, RecursionError):  # read again below, to say what is wrong
            value = None
        if closes and isinstance(value, list):
            return _Source(value, True, [])
    source = _read_array(text, start, "var_dump")
    if source.complete:
        _, end = _raw_decode(text, _skip_ws(text, start))
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
        value, _ = _raw_decode(text, position)
    except _TooDeep:
        why = "is nested too deeply"
    except ValueError:
        pass
    else:
        if isinstance(value, list):
            return _Source(value, True, [])
    entries: list[Any] = []
    position += 1
    while True:
        position = _WS_AND_COMMAS.match(text, position).end()  # type: ignore[union-attr]
        if not text.startswith("{", position):
            break
        try:
            entry, position = _raw_decode(text, position)
        except _TooDeep:
            why = "is nested too deeply"
            break
        except ValueError:
            break
        entries.append(entry)
    warning = f"related_cut_short: {where} array {why} after {len(entries)} whole entries"
    return _Source(entries, False, [warning])


class _TooDeep(ValueError):
    """JSON nested deeper than Python's decoder can follow: unreadable, like broken JSON."""


def _raw_decode(text: str, position: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, position)
    except RecursionError:
        raise _TooDeep from None


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _normalise(entries: list[Any], profile: SiteProfile, warnings: list[str]) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            warnings.append(f"related_bad_entry: {_short(entry)}")
            continue
        article_id = _article_id(entry.get("id"), warnings)
        if article_id is None:
            warnings.append(f"related_invalid_id: {_short(entry.get('id'))} (not followed)")
            continue
        if article_id in seen:
            continue
        seen.add(article_id)
        title = _title(entry.get("title"))
        media_url = _media_url(entry.get("pic"), profile, warnings)
        links.append(
            RelatedLink(
                article_id=article_id,
                title=title,
                sort=_integer(entry, "sort", warnings),
                content_type_id=_integer(entry, "contenttypeid", warnings),
                media_url=media_url,
                kind=classify(title, media_url, profile),
                position=len(links),
            )
        )
    return links


def _article_id(value: Any, warnings: list[str]) -> str | None:
    """The canonical id an entry names; None for anything else, an over-long id included."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return canonical_id(str(value)) if value.bit_length() < 128 else None
    if not isinstance(value, str):
        return None
    article_id = canonical_id(value.strip())
    if article_id is not None and article_id != value.strip():
        warnings.append(f"related_id_leading_zeros: {_short(value)} read as {article_id}")
    return article_id


def _title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return normalise_text(html.unescape(value)) or None


def _integer(entry: dict[str, Any], key: str, warnings: list[str]) -> int | None:
    value = entry.get(key)
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
    url = urljoin(profile.media_base, pic)
    if urlsplit(url).scheme not in ("http", "https"):
        warnings.append(f"related_bad_media_url: {_short(pic)}")
        return None
    return url


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
