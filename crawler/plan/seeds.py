"""Reading what a user tells a crawl to start from.

``-a start=`` takes article ids, article URLs and the word ``latest`` (the
profile's discovery sources: feeds, sitemaps, listing pages), comma-separated;
``-a ids=`` takes ids and id ranges for back-filling, such as ``1808000-1809000``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.items import ARTICLE_ID_MAX_LENGTH
from crawler.sites.profile import NUMBER, is_number_id

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
    """Read the profile's discovery sources: feeds, sitemaps, listing pages."""
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
    if ids and profile.article.id_kind != NUMBER:
        raise SeedError(
            f"ids: site {profile.name} has slug ids, which make no ranges; name them with start="
        )
    seeds = Seeds(ranges=parse_id_ranges(ids) if ids else [])
    host = urlsplit(base_url).netloc
    for raw in (start or "").split(","):
        seed = raw.strip()
        if not seed:
            continue
        if seed == LATEST:
            if not profile.discovery:
                raise SeedError(
                    f"site {profile.name} has no discovery sources (feeds, sitemaps, listings,"
                    " front pages) for start=latest"
                )
            seeds.latest = True
            continue
        if "://" in seed:
            article_id = _id_from_url(seed, profile, host)
        else:
            article_id = profile.canonical_id(seed) or _not_an_id(seed, profile)
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
        match = _RANGE.match(part)
        if is_number_id(part.lstrip("0") or "0"):
            low = high = int(part)
        elif match is None:
            raise SeedError(f"ids: {part!r} is neither an id nor a range FIRST-LAST")
        else:
            low, high = int(match.group(1)), int(match.group(2))
        if len(str(high)) > ARTICLE_ID_MAX_LENGTH:
            raise SeedError(f"ids: {part!r} goes beyond {ARTICLE_ID_MAX_LENGTH}-digit ids")
        if high < low:
            raise SeedError(f"ids: range {part!r} runs backwards")
        ranges.append((low, high))
    return ranges


def _not_an_id(seed: str, profile: SiteProfile) -> str:
    kind = "decimal digits" if profile.article.id_kind == NUMBER else "slugs (letters, digits, -)"
    raise SeedError(
        f"seed {seed!r} is neither an article id, an http(s) URL nor 'latest' "
        f"(ids of {profile.name} are {kind})"
    )


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
            f"({profile.article.url.format(id='ID')})"
        )
    return article_id


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SeedError(f"base_url {base_url!r} is not an http(s) URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SeedError(f"base_url {base_url!r} must be scheme://host[:port] only")
    return f"{parts.scheme}://{parts.netloc}"
