"""The headline of a page with no title rule, from what the page says of itself.

A page names its article several times: JSON-LD ``headline``, ``og:title``,
``<title>``, and the ``<h1>`` a reader sees. The metadata are often written
for search engines (a shorter or longer variant) and the ``<title>`` carries
the site's name and section (``Headline | Sport | Golem.de``). So:

1. An ``<h1>`` the metadata bear out (the same text, the headline part of a
   ``<title>``, or a close variant of one) is the headline: the reader's.
   An ``<h1>`` that is only the site's name is not.
2. Else the first metadata title, with what the page shows to be the site's
   name or section cut off: ``og:site_name`` or the JSON-LD publisher as a
   prefix or suffix, and what the ``<title>`` holds around a headline the
   page gives elsewhere.
3. Else the ``<title>``, cut the same way; failing that, its longest part.
4. Else, on a page with no metadata title and no ``<title>``, its first ``<h1>``.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from crawler.parsing.metadata import Found

if TYPE_CHECKING:
    from collections.abc import Iterable

H1 = "h1"
TITLE_TAG = "title-tag"
SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00bb ", " / ", " \u00b7 ", " : ")
# A headline and its search-engine variant share most of their text.
_CLOSE_VARIANT = 0.75
_MIN_HEADLINE = 4
_MAX_HEADLINE = 500
_HEADINGS_READ = 50


def choose_title(
    metadata: list[Found], tag_title: str, headings: list[str], site_names: Iterable[str]
) -> Found | None:
    """The headline (and where it was found); None if the page names none."""
    names = [name for name in site_names if name]
    texts = [found.value for found in metadata] + ([tag_title] if tag_title else [])
    visible = _visible_headline(headings, texts, names)
    if visible is not None:
        same = next((f for f in metadata if _folded(f.value) == _folded(visible)), None)
        if same is None and tag_title and _folded(tag_title) == _folded(visible):
            return Found(visible, TITLE_TAG)
        return Found(visible, same.source if same else H1)
    affixes = [*names, *_affixes_around(tag_title, [f.value for f in metadata])]
    for found in metadata:
        value = strip_affixes(str(found.value), affixes)
        if value:
            return Found(value, found.source)
    if tag_title:
        stripped = strip_affixes(tag_title, affixes)
        if stripped != tag_title:
            return Found(stripped, TITLE_TAG)
        return Found(_longest_part(tag_title), TITLE_TAG)
    # A page that names its article nowhere else: its first heading is the headline.
    folded_names = {_folded(name) for name in names}
    for heading in headings:
        if len(_folded(heading)) >= _MIN_HEADLINE and _folded(heading) not in folded_names:
            return Found(heading, H1)
    return None


def strip_affixes(title: str, affixes: list[str]) -> str:
    """`title` without any of `affixes` before or after a separator, however often."""
    changed = True
    while changed:
        changed = False
        for affix in affixes:
            folded_title, folded_affix = title.casefold(), affix.casefold()
            for separator in SEPARATORS:
                tail, head = separator + folded_affix, folded_affix + separator
                if folded_title.endswith(tail) and len(title) > len(tail):
                    title, changed = title[: -len(tail)].rstrip(), True
                    break
                if folded_title.startswith(head) and len(title) > len(head):
                    title, changed = title[len(head) :].lstrip(), True
                    break
    return title


def _visible_headline(headings: list[str], texts: list[str], names: list[str]) -> str | None:
    folded_names = {_folded(name) for name in names}
    best, best_score = None, 0.0
    # A page of thousands of headings, or one of a megabyte, is read as far as a headline goes.
    for heading in headings[:_HEADINGS_READ]:
        folded = _folded(heading)
        if not _MIN_HEADLINE <= len(folded) <= _MAX_HEADLINE or folded in folded_names:
            continue
        score = max((_agreement(folded, _folded(text)) for text in texts), default=0.0)
        if score > best_score:
            best, best_score = heading, score
    return best if best_score >= _CLOSE_VARIANT else None


def _agreement(heading: str, text: str) -> float:
    """1 when `text` is the heading or holds it as its headline part; else how alike they are."""
    if heading == text:
        return 1.0
    parts = _parts(text)
    if len(parts) > 1 and heading == max(parts, key=len):
        return 1.0
    if text.startswith(heading) and len(heading) > 10:
        return 1.0
    return SequenceMatcher(None, heading, text[: 2 * _MAX_HEADLINE], autojunk=False).ratio()


def site_names_in_title(tag_title: str, headline: str) -> list[str]:
    """What the ``<title>`` holds besides `headline`: the site's name and section, if any."""
    return _affixes_around(tag_title, [headline]) if tag_title and headline else []


def _affixes_around(tag_title: str, headlines: list[str]) -> list[str]:
    """The parts of the ``<title>`` around a headline the page gives elsewhere (site, section).

    The shortest such headline shows the most of what is not headline.
    """
    folded_title = tag_title.casefold()
    for headline in sorted(headlines, key=len):
        folded = headline.casefold()
        at = folded_title.find(folded)
        if not folded or at < 0 or folded == folded_title:
            continue
        around = [tag_title[:at], tag_title[at + len(headline) :]]
        return [part for side in around for part in _parts(side)]
    return []


def _parts(text: str) -> list[str]:
    parts = [text]
    for separator in SEPARATORS:
        parts = [piece.strip() for part in parts for piece in part.split(separator)]
    return [part for part in parts if part]


def _longest_part(title: str) -> str:
    parts = _parts(title)
    return max(parts, key=len) if parts else title


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())
