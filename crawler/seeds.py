"""Reading what a user tells a crawl to start from.

``-a start=`` takes article ids, article URLs and the word ``latest`` (the
profile's listing pages), comma-separated; ``-a ids=`` takes ids and id ranges
for back-filling, such as ``1808000-1809000``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.items import ARTICLE_ID_MAX_LENGTH
from crawler.sites.profile import canonical_id, is_article_id

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.sites.profile import SiteProfile

LATEST = "latest"
_RANGE = re.compile(r"^([0-9]+)\s*-\s*([0-9]+)$")


class SeedError(ValueError):
    pass


@dataclass
class Seeds:
    article_ids: list[str] = field(default_factory=list)
    """Fetched whatever the archive holds: the user asked for them."""
    latest: bool = False
    """Read the profile's listing pages."""
    ranges: list[tuple[int, int]] = field(default_factory=list)
    """Inclusive id ranges to back-fill; ids already archived are skipped."""

    def range_ids(self) -> Iterator[str]:
        for low, high in self.ranges:
            for number in range(low, high + 1):
                yield str(number)

    def __bool__(self) -> bool:
        return bool(self.article_ids or self.latest or self.ranges)


def parse_seeds(
    start: str | None,
    profile: SiteProfile,
    base_url: str,
    ids: str | None = None,
    *,
    required: bool = True,
) -> Seeds:
    """The seeds of ``-a start=`` and ``-a ids=``.

    A URL must be on the host being crawled: a seed never widens the crawl.
    Seeds are `required` unless the run joins a shared frontier, whose other
    workers (or `scrapy seed`) give them.
    """
    seeds = Seeds(ranges=parse_id_ranges(ids) if ids else [])
    host = urlsplit(base_url).netloc
    for raw in (start or "").split(","):
        seed = raw.strip()
        if not seed:
            continue
        if seed == LATEST:
            if not profile.listing_paths:
                raise SeedError(f"site {profile.name} has no listing pages for start=latest")
            seeds.latest = True
            continue
        article_id = canonical_id(seed) or _id_from_url(seed, profile, host)
        if article_id not in seeds.article_ids:
            seeds.article_ids.append(article_id)
    if required and not seeds:
        raise SeedError(
            "no seeds: pass -a start=ID|URL|latest (comma-separated) or -a ids=FIRST-LAST"
        )
    return seeds


def parse_id_ranges(value: str) -> list[tuple[int, int]]:
    """``1808000-1809000,1851093`` to inclusive ranges."""
    ranges = []
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        if is_article_id(part):
            ranges.append((int(part), int(part)))
            continue
        match = _RANGE.match(part)
        if match is None:
            raise SeedError(f"ids: {part!r} is neither an id nor a range FIRST-LAST")
        low, high = int(match.group(1)), int(match.group(2))
        if len(str(high)) > ARTICLE_ID_MAX_LENGTH:
            raise SeedError(f"ids: {part!r} goes beyond {ARTICLE_ID_MAX_LENGTH}-digit ids")
        if high < low:
            raise SeedError(f"ids: range {part!r} runs backwards")
        ranges.append((low, high))
    return ranges


def _id_from_url(seed: str, profile: SiteProfile, host: str) -> str:
    parts = urlsplit(seed)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SeedError(f"seed {seed!r} is neither an article id, an http(s) URL nor 'latest'")
    if parts.netloc != host:
        raise SeedError(
            f"seed {seed!r} is not on {host}; pass -a base_url={parts.scheme}://{parts.netloc}"
            " to crawl a copy of the site there"
        )
    article_id = profile.article_id_from_url(seed)
    if article_id is None:
        raise SeedError(
            f"seed {seed!r} is not an article URL of {profile.name} "
            f"({profile.article_path.format(id='ID')})"
        )
    return article_id


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SeedError(f"base_url {base_url!r} is not an http(s) URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SeedError(f"base_url {base_url!r} must be scheme://host[:port] only")
    return f"{parts.scheme}://{parts.netloc}"
