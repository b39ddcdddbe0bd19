"""What the crawler knows of one site, in one declared record.

Everything site-specific (URLs, selectors, date formats, time zone, where the
related-article list hides) lives in a `SiteProfile`, so that correcting an
assumption or adding a site never means editing the spider or the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from crawler.items import ARTICLE_ID_MAX_LENGTH


@dataclass(frozen=True)
class SiteProfile:
    name: str
    base_url: str
    """Scheme and host of the live site, e.g. ``https://en.alalam.ir``."""
    article_path: str
    """Path template of an article page, with ``{id}`` for the article id."""
    article_path_pattern: str
    """Regular expression over a URL path; its first group is the article id."""
    media_base: str
    """What a related item's ``pic`` path is resolved against."""
    language: str
    """BCP 47 code used when a page does not declare ``<html lang>``."""
    time_zone: str
    """IANA zone the page's dates are written in."""
    date_formats: tuple[str, ...]

    title_selector: str
    date_selector: str
    body_selector: str
    excluded_selectors: tuple[str, ...] = ()
    """Parts of the body that are not paragraphs (image blocks, desk code)."""
    image_block_selector: str = "figure"
    caption_selector: str = "figcaption"
    desk_code_selector: str | None = None
    desk_code_pattern: str = r"^[A-Z]{1,5}(?:/[A-Z]{1,5})* ?\d{1,4}$"
    """A last body paragraph matching this is the desk code, whatever its markup."""
    subheading_tags: tuple[str, ...] = ("h2", "h3", "h4", "h5", "h6")
    emphasis_tags: tuple[str, ...] = ("strong", "b")
    """A paragraph wholly inside one of these is a subheading."""

    kind_prefixes: tuple[tuple[str, str], ...] = ()
    """Title prefixes and the kind they mark, checked in order."""
    video_suffixes: tuple[str, ...] = (".mp4",)
    related_script_vars: tuple[str, ...] = ()
    """JavaScript variables that may hold the related list as an array literal."""
    related_attributes: tuple[str, ...] = ()
    """HTML attributes that may hold the related list, HTML-escaped."""

    listing_paths: tuple[str, ...] = ()
    """Pages that list the newest articles (``-a start=latest``)."""
    listing_link_selector: str = "a::attr(href)"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def _path_re(self) -> re.Pattern[str]:
        return re.compile(self.article_path_pattern)

    @cached_property
    def _desk_code_re(self) -> re.Pattern[str]:
        return re.compile(self.desk_code_pattern)

    def is_desk_code(self, text: str) -> bool:
        return self._desk_code_re.fullmatch(text) is not None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def article_url(self, article_id: str, base_url: str | None = None) -> str:
        """The URL of an article: always built from the template, never taken from a page."""
        if not is_article_id(article_id):
            raise ValueError(f"not an article id: {article_id!r}")
        return urljoin(base_url or self.base_url, self.article_path.format(id=article_id))

    def article_id_from_url(self, url: str) -> str | None:
        match = self._path_re.match(urlsplit(url).path)
        return canonical_id(match.group(1)) if match else None


_DIGITS = re.compile(r"[0-9]+")


def is_article_id(value: str) -> bool:
    """Article ids are ASCII decimal digits (str.isdigit would admit other scripts),
    at most ARTICLE_ID_MAX_LENGTH of them."""
    return len(value) <= ARTICLE_ID_MAX_LENGTH and _DIGITS.fullmatch(value) is not None


def canonical_id(value: str) -> str | None:
    """An id as the archive keys it: digits without leading zeros; None if not an id.

    ``0001851093`` and ``1851093`` name one article, so they must be one row.
    An id longer than the archive keeps is no id: it is never followed.
    """
    if _DIGITS.fullmatch(value) is None:
        return None
    canonical = value.lstrip("0") or "0"
    return canonical if len(canonical) <= ARTICLE_ID_MAX_LENGTH else None
