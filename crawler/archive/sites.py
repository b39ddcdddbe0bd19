"""The sites an archive holds: which of them hold an article id, and what each holds.

No command assumes one site: an id is looked up in every site, and only an id
that several sites use needs ``--site`` to say which is meant.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Table, func, select, union

from crawler.archive.models import ArticleRecord, Capture, CrawlRun
from crawler.sites import builtin_directory, load_profile, profile_path
from crawler.sites.loader import profile_from_data

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, tzinfo

    from sqlalchemy.engine import Engine

    from crawler.sites.profile import SiteProfile

_ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]
_RUNS: Table = CrawlRun.__table__  # type: ignore[assignment]


def sites_holding(engine: Engine, article_id: str) -> list[str]:
    """The sites with an article or a capture (a held one too) of this id, sorted."""
    query = union(
        select(_ARTICLES.c.site).where(_ARTICLES.c.article_id == article_id),
        select(Capture.site).where(Capture.article_id == article_id),
    )
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


@dataclass
class SiteSummary:
    """A site of the archive: what it holds and how it was last crawled."""

    site: str
    articles: int
    last_run_time: datetime | None
    last_run_status: str | None
    profile: str | None
    """The profile the last run crawled with: a built-in's name or the file's absolute path
    (runs from before it was recorded: the path as given, else the site's name)."""
    profile_sha256: str | None
    """The SHA-256 of that profile's bytes (None for runs from before it was recorded)."""


def site_summaries(engine: Engine) -> list[SiteSummary]:
    """Every site with an article or a run, by name."""
    counts_query = select(_ARTICLES.c.site, func.count()).group_by(_ARTICLES.c.site)
    last_ids = select(func.max(_RUNS.c.id)).group_by(_RUNS.c.site)
    runs_query = select(_RUNS.c.site, _RUNS.c.started_at, _RUNS.c.status, _RUNS.c.arguments).where(
        _RUNS.c.id.in_(last_ids)
    )
    with engine.connect() as conn:
        counts: dict[str, int] = {site: n for site, n in conn.execute(counts_query)}
        runs = {row.site: row for row in conn.execute(runs_query)}
    summaries = []
    for site in sorted(set(counts) | set(runs)):
        run = runs.get(site)
        arguments = (run.arguments or {}) if run is not None else {}
        given = arguments.get("spider", {})
        used = arguments.get("profile") or {}
        summaries.append(
            SiteSummary(
                site,
                counts.get(site, 0),
                run.started_at if run is not None else None,
                run.status if run is not None else None,
                used.get("source") or given.get("profile") or (site if run else None),
                used.get("sha256"),
            )
        )
    return summaries


def profile_record(profile: SiteProfile) -> dict[str, str] | None:
    """What a run keeps of the profile it crawled with: where it came from (a built-in
    profile's name, else the file's absolute path), its text and the SHA-256 of its bytes,
    so the archive can tell later whether the file changed. None for a profile read
    from no file."""
    if profile.source is None:
        return None
    path = Path(profile.source).resolve()
    try:
        data = path.read_bytes()
    except OSError:
        return None  # gone since it was loaded: the run still crawls with what was read
    builtin = path.parent == builtin_directory().resolve()
    return {
        "source": profile.name if builtin else str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "text": data.decode("utf-8"),
    }


@dataclass
class ArchivedProfile:
    """The profile a site was last crawled with, as the archive can use it now."""

    profile: SiteProfile
    warning: str | None
    """Why what is used differs from what the archive crawled with, if it does."""


def archived_profiles(engine: Engine) -> dict[str, ArchivedProfile]:
    """Each site's profile as its last recording run kept it: the file (or built-in) when
    it is still there, the stored copy when it is gone; a changed file is used, and said."""
    last_ids = select(func.max(_RUNS.c.id)).group_by(_RUNS.c.site)
    query = select(_RUNS.c.site, _RUNS.c.arguments).where(_RUNS.c.id.in_(last_ids))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    found = {}
    for site, arguments in rows:
        used = (arguments or {}).get("profile")
        if used:
            found[site] = _archived(site, used)
    return found


def _archived(site: str, used: dict[str, str]) -> ArchivedProfile:
    source = used["source"]
    # A name is read where it is read today (ARCHIVE_SITES_DIR before the built-in);
    # one no longer found anywhere falls back to the stored copy below.
    path = (
        Path(source)
        if "/" in source
        else profile_path(source) or builtin_directory() / f"{source}.toml"
    )
    try:
        data = path.read_bytes()
    except OSError:
        stored = profile_from_data(tomllib.loads(used["text"]), source=path)
        return ArchivedProfile(stored, None)  # the copy is exactly what was crawled with
    profile = load_profile(path)
    if hashlib.sha256(data).hexdigest() == used["sha256"]:
        return ArchivedProfile(profile, None)
    return ArchivedProfile(
        profile,
        f"profile {source} differs from the one {site} was last crawled with"
        f" (sha256 {used['sha256'][:12]}); using the file",
    )


def months_in_site_time(engine: Engine, zone: Callable[[str], tzinfo]) -> dict[str, int]:
    """Articles by month of publication, each on its own site's clock (`zone` of its
    site): an article of 23:30 UTC on 31 July is August's in Tehran. A date without a
    time counts in the month it names; an undated article as ``undated``."""
    query = select(_ARTICLES.c.site, _ARTICLES.c.published_at, _ARTICLES.c.published_local)
    months: dict[str, int] = {}
    with engine.connect() as conn:
        for site, published, local in conn.execution_options(yield_per=5000).execute(query):
            if published is not None:
                key = published.astimezone(zone(site)).strftime("%Y-%m")
            else:
                key = local[:7] if local else "undated"
            months[key] = months.get(key, 0) + 1
    return dict(sorted(months.items()))


@dataclass
class LastCrawl:
    """How a site was last crawled, as `crawl --all` crawls it again."""

    site: str
    started_at: datetime
    profile_source: str | None
    """A built-in's name or a file's absolute path (None: a run from before it was recorded)."""
    base_url: str | None
    """The `base_url` the run was given (None: the profile's own)."""
    archived: ArchivedProfile | None
    """The profile as the archive can use it now (the file, else the stored copy)."""
    problem: str | None = None
    """Why that profile cannot be read now (a file changed into one that does not load)."""


def last_crawls(engine: Engine) -> list[LastCrawl]:
    """Each site's last run, by site name."""
    last_ids = select(func.max(_RUNS.c.id)).group_by(_RUNS.c.site)
    query = select(_RUNS.c.site, _RUNS.c.started_at, _RUNS.c.arguments).where(
        _RUNS.c.id.in_(last_ids)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    crawls = []
    for site, started_at, arguments in sorted(rows):
        used = (arguments or {}).get("profile")
        given = (arguments or {}).get("spider", {})
        archived, problem = None, None
        try:
            archived = _archived(site, used) if used else None
        except (ValueError, KeyError) as error:  # ProfileError is a ValueError
            problem = str(error)
        crawls.append(
            LastCrawl(
                site,
                started_at,
                used["source"] if used else None,
                given.get("base_url"),
                archived,
                problem,
            )
        )
    return crawls
