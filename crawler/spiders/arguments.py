"""The related spider's arguments (`-a NAME=VALUE`), declared once.

`RelatedArguments` lists every argument with its help. From it follow the
check of what a user gave (an unknown name stops the crawl, naming the one
meant: a misspelt ``-a base-url=…`` must not crawl the live site without
it), the did-you-mean, and the table in the README (a test holds the two
together). `resolve` turns the arguments into what a crawl starts from: the
site's profile, the base URL, the seeds and the discovery window's start.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.discovery.window import parse_since
from crawler.plan.seeds import check_base_url, parse_seeds
from crawler.sites import resolve_profile

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping
    from datetime import datetime

    from crawler.plan.seeds import Seeds
    from crawler.sites.profile import SiteProfile


class UnknownArgumentError(ValueError):
    pass


def argument(help: str) -> Any:
    """A spider argument: a string, unset (None) unless given."""
    return field(default=None, metadata={"help": help})


@dataclass(frozen=True)
class RelatedArguments:
    """What a user may tell the related spider, as given (strings)."""

    start: str | None = argument(
        "article ids, article URLs, or `latest` (the profile's discovery sources: feeds, "
        "sitemaps, listing pages), comma-separated"
    )
    ids: str | None = argument("ids and id ranges to back-fill, e.g. `1808000-1809000,1851093`")
    site: str | None = argument("site profile by name, default `alalam_en` (see Sites)")
    base_url: str | None = argument(
        "fetch from this `scheme://host[:port]` instead of the live site"
    )
    profile: str | None = argument("site profile file, instead of `site`")
    since: str | None = argument(
        "with `latest`: skip entries dated before this (`2026-11-01`, UTC, an ISO datetime, "
        "or `all`); default: the profile's window"
    )
    max_articles: str | None = argument(
        "stop once this many new articles are archived (re-fetches and new versions do not "
        "count); what was found and not fetched is the next run's"
    )

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_kwargs(cls, given: Mapping[str, Any], spider: str = "related") -> RelatedArguments:
        """The arguments of `given`; raises UnknownArgumentError for a name not declared.

        Names that start with an underscore pass, unread: scrapyd gives every job
        ``-a _job=ID`` (and ``_version``), whatever the spider takes.
        """
        refuse_unknown(spider, given, cls.names())
        return cls(**{name: given[name] for name in cls.names() if name in given})

    def given(self) -> dict[str, str]:
        """The arguments that were given, by name (as the run's row keeps them)."""
        return {name: value for name in self.names() if (value := getattr(self, name)) is not None}

    def resolve(
        self,
        *,
        sites_dir: str | None = None,
        seeds_required: bool = True,
    ) -> ResolvedArguments:
        """What the crawl starts from; raises (SeedError, ProfileError, ...) on a bad argument.

        Seeds are not `required` by a worker that joins a shared frontier (its
        requests come from the other workers), nor by Scrapy's tools that only
        look at a page they are given.
        """
        since = parse_since(self.since)
        site_profile = resolve_profile(self.site, self.profile, sites_dir)
        base = check_base_url(self.base_url or site_profile.base_url)
        seeds = parse_seeds(self.start, site_profile, base, self.ids, required=seeds_required)
        max_articles = parse_max_articles(self.max_articles)
        return ResolvedArguments(self, site_profile, base, seeds, since, max_articles)

    @classmethod
    def readme_table(cls) -> str:
        """The table of arguments as the README gives it."""
        rows = ["| argument | meaning |", "|---|---|"]
        rows += [f"| `{f.name}` | {f.metadata['help']} |" for f in dataclasses.fields(cls)]
        return "\n".join(rows)


@dataclass(frozen=True)
class ResolvedArguments:
    """The arguments resolved: what a crawl of the related spider starts from."""

    arguments: RelatedArguments
    profile: SiteProfile
    base_url: str
    seeds: Seeds
    since: datetime | None
    """With ``latest``: the discovery window's start the user set (None: the profile's)."""
    max_articles: int | None = None
    """New articles after which the run stops (None: no limit)."""

    def recorded(self) -> dict[str, str]:
        """The arguments as the run's row keeps them: as given, the site as resolved."""
        return {**self.arguments.given(), "site": self.profile.name}


def parse_max_articles(value: str | None) -> int | None:
    """`max_articles` as a count of 1 or more; raises ValueError, saying what it takes."""
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"max_articles takes a whole number of 1 or more, not {value!r}")
    return int(text)


def refuse_unknown(spider: str, given: Iterable[str], known: Collection[str]) -> None:
    """Raise for a name in `given` that is not in `known` (names starting with `_` pass)."""
    for name in given:
        if name in known or name.startswith("_"):
            continue
        close = difflib.get_close_matches(name.replace("-", "_").lower(), known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UnknownArgumentError(
            f"the {spider} spider has no argument {name!r}{hint}; it takes {', '.join(known)}"
        )
