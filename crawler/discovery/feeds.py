"""RSS 0.9x, 1.0, 2.0 and Atom feeds to entries, with feedparser.

Feeds in the wild are broken in a few usual ways, each met here: a byte
order mark, HTML entities XML does not know (feedparser's loose parser reads
them), an encoding declared wrongly (UTF-8 declared as Latin-1 is read as
UTF-8, with a warning), and a document cut short. A cut document keeps only
the entries that closed before the break: the one in progress may hold half
a link, and half a link names another article.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import feedparser
from w3lib.html import remove_tags

from crawler.discovery.articles import SiteUrls
from crawler.discovery.entries import Entry, clean_text
from crawler.discovery.report import Ignored, SourceError

if TYPE_CHECKING:
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile

_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.:-]*)")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([\w.:-]+)(["'])""")
_SINGLE_BYTE = re.compile(r"^(iso-?8859-\d+|latin-?\d|windows-125\d|cp125\d|us-ascii|ascii)$", re.I)
_BOM = b"\xef\xbb\xbf"


def feed_entries(body: bytes, url: str, profile: SiteProfile, report: SourceReport) -> list[Entry]:
    """The articles a feed lists, in its order; what it lists besides is counted in `report`.

    Raises `SourceError` when the document is not a feed at all.
    """
    body = _utf8_if_mislabelled(body.removeprefix(_BOM), report)
    body, truncated = _complete_part(body, report)
    parsed = feedparser.parse(
        io.BytesIO(body),  # a stream: feedparser would take a str for a URL or a file name
        response_headers={"content-location": url, "content-type": "application/xml"},
        sanitize_html=False,
    )
    if not parsed.version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise SourceError(f"not an RSS or Atom feed{f' ({problem})' if problem else ''}")
    problem = parsed.get("bozo_exception")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        report.warnings.append(f"charset_mislabelled: read as {parsed.encoding}")
    elif problem is not None and not truncated:  # a cut document is not well-formed either
        report.warnings.append(f"not well-formed XML, read leniently: {problem}")
    urls = SiteUrls(profile, url)
    entries = []
    for item in parsed.entries:
        entry = _entry(item, urls, report)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(item: Any, urls: SiteUrls, report: SourceReport) -> Entry | None:
    candidates = [item.get("link")]
    candidates += [link.get("href") for link in item.get("links", [])]
    if str(item.get("id", "")).startswith(("http://", "https://")):
        candidates.append(item["id"])
    listed = list(dict.fromkeys(c for c in candidates if c))
    if not listed:
        report.ignore(Ignored.MALFORMED)
        return None
    # The first link that names an article wins; an entry that names none counts once,
    # as what its main link is.
    ignored: list[Ignored] = []
    for candidate in listed:
        article_id = urls.article_id(candidate)
        if isinstance(article_id, Ignored):
            ignored.append(article_id)
            continue
        report.entries += 1
        title = item.get("title")
        return Entry(
            article_id=article_id,
            url=candidate,
            title=clean_text(remove_tags(title)) if title else None,
            # dict.get: FeedParserDict would answer a missing date with the other one
            published=_utc(dict.get(item, "published_parsed")),
            updated=_utc(dict.get(item, "updated_parsed")),
        )
    report.ignore(ignored[0])
    return None


def _utc(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time to an aware datetime."""
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _utf8_if_mislabelled(body: bytes, report: SourceReport) -> bytes:
    """UTF-8 declared as a single-byte charset is UTF-8 (Latin-1 text is rarely valid UTF-8)."""
    declared = _DECLARED.match(body)
    if declared is None or not _SINGLE_BYTE.match(declared.group(2).decode("ascii")):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    if body.isascii():
        return body
    report.warnings.append(
        f"charset_mislabelled: declared {declared.group(2).decode('ascii')}, read as UTF-8"
    )
    return _DECLARED.sub(rb"\g<1>utf-8\g<3>", body, count=1)


def _complete_part(body: bytes, report: SourceReport) -> tuple[bytes, bool]:
    """The document up to its last whole entry, when it ends before its root element closes."""
    root = _ROOT.search(body)
    if root is None:
        return body, False  # not XML as we can read it in bytes (UTF-16?): feedparser decides
    name = root.group(1)
    if re.search(rb"</" + re.escape(name) + rb"\s*>", body[root.end() :]):
        return body, False
    closing = f"</{name.decode('ascii', 'replace')}>"
    ends = list(_ENTRY_END.finditer(body))
    if not ends:
        raise SourceError(f"truncated: the feed ends before {closing} and before its first entry")
    report.warnings.append(
        f"truncated: the feed ends before {closing}; only the entries before the break are read"
    )
    return body[: ends[-1].end()], True
