"""Sitemaps, sitemap indexes and news sitemaps to entries, streamed.

A sitemap may list hundreds of thousands of URLs, so it is read as a stream
(lxml's iterparse, each ``<url>`` dropped once read, gzip inflated as it is
read) and its entries are yielded one by one: memory stays flat however long
the sitemap. News sitemaps (``<news:news>``) give each article's
``publication_date`` and title.

The parser is strict: a document that breaks off or is not well-formed ends
the stream at the break, with a warning, and the entries before it stand. A
lenient parser would invent the rest of a half-read ``<loc>``, and half a URL
names another article. Entities are never resolved, nothing is loaded from
the network.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from crawler.discovery.articles import SiteUrls
from crawler.discovery.entries import Entry, SitemapRef, clean_text
from crawler.discovery.report import Ignored, SourceError
from crawler.parsing.dates import read_local_date

if TYPE_CHECKING:
    from collections.abc import Iterator
    from zoneinfo import ZoneInfo

    from crawler.discovery.entries import Dated
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile

GZIP_MAGIC = b"\x1f\x8b"
_ITEMS = ("{*}url", "{*}sitemap")


def sitemap_entries(
    body: bytes | BinaryIO,
    url: str,
    profile: SiteProfile,
    report: SourceReport,
    *,
    max_size: int = 100 * 1024 * 1024,
) -> Iterator[Entry | SitemapRef]:
    """The articles a sitemap lists, or the sitemaps an index lists, as they are read.

    `body` is the document's bytes, or a binary stream of them (read as parsed).
    `max_size` bounds the document once inflated (a gzip bomb is refused).
    Raises `SourceError` when the document is not a sitemap at all.
    """
    urls = SiteUrls(profile, url)
    stream = _CappedReader(_inflated(body), max_size)
    items = etree.iterparse(
        stream,
        events=("end",),
        tag=_ITEMS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    read = 0
    try:
        for _, element in items:
            if read == 0:
                _check_root(element.getparent())
            read += 1
            item = _item(element, urls, profile, report)
            _forget(element)
            if item is not None:
                yield item
    except (etree.XMLSyntaxError, OSError, EOFError, zlib.error, _TooLarge) as error:
        problem = _describe(error)
        if read == 0:
            raise SourceError(f"not a readable sitemap: {problem}") from None
        report.warnings.append(f"sitemap broken off after {read} entries: {problem}")
        return
    if read == 0:
        _check_root(items.root)


def _item(
    element: etree._Element, urls: SiteUrls, profile: SiteProfile, report: SourceReport
) -> Entry | SitemapRef | None:
    fields: dict[str, str] = {}
    for child in element:
        name = _local(child)
        if name == "news":  # a news sitemap's <news:news>: the publication's date and title
            for part in child:
                if _local(part) in ("publication_date", "title") and not _take(part, fields):
                    report.malformed += 1
                    return None
        elif name in ("loc", "lastmod") and not _take(child, fields):
            report.malformed += 1
            return None
    loc = fields.get("loc")
    if not loc:
        report.malformed += 1
        return None
    lastmod = _dated(fields.get("lastmod"), profile.zone)
    if _local(element) == "sitemap":
        report.sitemaps += 1
        path = urls.on_site(loc)
        if path is None:
            report.offsite += 1
            return None
        return SitemapRef(path, lastmod)
    article_id = urls.article_id(loc)
    if isinstance(article_id, Ignored):
        report.ignore(article_id)
        return None
    report.entries += 1
    return Entry(
        article_id=article_id,
        url=loc,
        title=clean_text(fields.get("title")),
        published=_dated(fields.get("publication_date"), profile.zone),
        updated=lastmod,
    )


def _dated(text: str | None, zone: ZoneInfo | None) -> Dated | None:
    """A W3C datetime (``lastmod``, ``publication_date``) read as the site's pages are
    (crawler.parsing.dates): UTC, or a bare date where the instant is unknown.

    None when the text is no date, or one Python cannot hold in UTC (year 1 in
    the site's zone, year 9999 with an offset): one such entry must not end the
    sitemap.
    """
    if not text:
        return None
    reading = read_local_date(text, (), zone).value
    return None if reading is None else reading.utc or reading.local


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag[tag.find("}") + 1 :] if isinstance(tag, str) else ""


def _take(element: etree._Element, fields: dict[str, str]) -> bool:
    """Keep the element's text under its name; False when an unresolved entity splits it."""
    if len(element):
        return False
    fields.setdefault(_local(element), (element.text or "").strip())
    return True


def _forget(element: etree._Element) -> None:
    """Drop what was read, so the tree never grows past one entry."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _check_root(root: etree._Element | None) -> None:
    name = _local(root) if root is not None else None
    if name not in ("urlset", "sitemapindex"):
        raise SourceError(f"not a sitemap: the document is <{name or '?'}>")


def _inflated(body: bytes | BinaryIO) -> io.BufferedIOBase:
    """The document, inflated as it is read when it is gzip (whatever the URL or headers say)."""
    stream = io.BufferedReader(io.BytesIO(body) if isinstance(body, bytes) else body)  # type: ignore[arg-type]
    if stream.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")
    return stream


class _TooLarge(Exception):
    pass


class _CappedReader(io.RawIOBase):
    """A stream that refuses to give more than `limit` bytes."""

    def __init__(self, stream: io.BufferedIOBase, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # read1: what one step inflates, so a gzip stream cut short still gives the
        # entries before the cut (read() would drop them with its EOFError).
        data = self.stream.read1(size if size >= 0 else self.limit + 1 - self.given)
        self.given += len(data)
        if self.given > self.limit:
            raise _TooLarge(f"larger than {self.limit} bytes once inflated")
        return data


def _describe(error: BaseException) -> str:
    if isinstance(error, etree.XMLSyntaxError):
        return f"{error.msg} (line {error.lineno})" if error.msg else str(error)
    if isinstance(error, EOFError):
        return "the gzip stream ends early"
    return str(error) or type(error).__name__
