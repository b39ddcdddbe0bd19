"""Reading the archive: search, show, stats, history."""

from __future__ import annotations

import dataclasses
import difflib
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from crawler.archive.captures_read import article_captures
from crawler.archive.history import returns_to, reverts
from crawler.archive.reading import related_entries
from crawler.archive.runs import RunLog
from crawler.archive.search import DEFAULT_TIMEOUT, SearchFilters, SearchTimeout
from crawler.archive.search_query import QueryError, parse_query
from crawler.archive.sites import months_in_site_time
from crawler.cli import output as out
from crawler.cli.options import (
    DateBound,
    article_site,
    article_site_option,
    db_option,
    json_option,
    kind_option,
    open_store,
    since_option,
    site_option,
    until_option,
)
from crawler.cli.raw_capture import show_capture

if TYPE_CHECKING:
    from crawler.archive.history import Revert
    from crawler.archive.runs import RunRecord
    from crawler.archive.store import Version


@click.command()
@db_option
@click.argument("query")
@since_option
@until_option
@kind_option
@site_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds PostgreSQL may spend on the search before it stops it.",
)
@json_option
def search(
    db: str | None,
    query: str,
    since: datetime | None,
    until: datetime | None,
    kind: str | None,
    site: str | None,
    limit: int,
    timeout: float,
    as_json: bool | None,
) -> None:
    """Full-text search over titles and bodies, best matches first.

    \b
    Hamedan bombers    both words        "air base"   the phrase
    Hamed*             a prefix          Iran OR Syria  either
    -Daesh             not this word
    """
    try:
        parsed = parse_query(query)
    except QueryError as error:
        raise click.ClickException(str(error)) from error
    store = open_store(db)
    try:
        hits = store.search(parsed, SearchFilters(site, kind, since, until, limit), timeout)
    except SearchTimeout as error:
        raise click.ClickException(
            f"{error}: narrow it with --since, --until, --site or --kind, or allow --timeout"
        ) from None
    if out.wants_json(as_json):
        for hit in hits:
            record = dataclasses.asdict(hit)
            record["snippet"] = out.highlighted(hit.snippet)
            out.emit_json(record)
        return
    if not hits:
        out.say(f"no article matches {query!r}")
        return
    for hit in hits:
        when = out.local_time(hit.published_at, hit.site) or "undated"
        where = f"[{hit.site}/{hit.article_id}, {hit.kind}, {when}]"
        out.say(out.Bold(hit.title), f"  {where}")
        out.say("    ", *out.snippet(hit.snippet, for_terminal=sys.stdout.isatty()))


@click.command()
@db_option
@click.argument("article_id")
@article_site_option
@click.option(
    "--raw",
    is_flag=True,
    help="The page as fetched (the last capture unless told): bytes, or text on a terminal.",
)
@click.option(
    "--capture",
    "number",
    type=click.IntRange(min=1),
    help="With --raw: capture N of the article (as `captures ID` numbers them).",
)
@click.option(
    "--at",
    type=DateBound(),
    help="With --raw: the last capture fetched at or before this time (UTC unless it says).",
)
@json_option
def show(
    db: str | None,
    article_id: str,
    site: str | None,
    raw: bool,
    number: int | None,
    at: datetime | None,
    as_json: bool | None,
) -> None:
    """An article as a reader wants it: text, times, versions, related articles."""
    if (number is not None or at is not None) and not raw:
        raise click.UsageError("--capture and --at choose the page --raw shows; add --raw")
    if number is not None and at is not None:
        raise click.UsageError("give --capture or --at, not both")
    store = open_store(db)
    site = article_site(store, site, article_id)
    if raw:
        if as_json:
            raise click.UsageError("--raw prints the page itself; leave out --json")
        show_capture(store.engine, site, article_id, number=number, at=at)
        return
    article = store.article(site, article_id)
    if article is None:
        raise click.ClickException(f"{site}/{article_id} is not in the archive")
    versions = store.history(site, article_id)
    entries = related_entries(store, [article])[(site, article_id)]
    related = [dataclasses.asdict(entry) for entry in entries]
    if out.wants_json(as_json):
        out.emit_json(
            {
                "article": dataclasses.asdict(article),
                "versions": [dataclasses.asdict(v) for v in versions],
                "related": related,
            }
        )
        return
    zone = out.site_zone(site).key
    published = datetime.fromisoformat(article.published_at) if article.published_at else None
    out.say(out.Bold(article.title))
    when = f"published {out.local_time(published, site)} ({zone}), {out.utc(published)}"
    if not published:
        # A date without a time is kept as the date alone (see The schema).
        when = f"published {article.published_local}" if article.published_local else "undated"
    out.say(f"{site}/{article_id} · {article.kind} · {when}")
    out.say(article.url)
    if article.authors:
        out.say(f"by {', '.join(article.authors)}")
    fetched = datetime.fromisoformat(article.fetched_at) if article.fetched_at else None
    desk = f" · desk {article.desk_code}" if article.desk_code else ""
    out.say(
        f"version {article.version} of {len(versions)} · fetched {out.local_time(fetched, site)}"
        f" · {article.word_count} words{desk}"
    )
    out.article_text(
        article.body, article.subheadings, article.field_sources, sources_label="Field sources"
    )
    if article.images:
        out.say("\nImages")
        for image in article.images:
            out.say(f"  {image.url}" + (f"  {image.caption}" if image.caption else ""))
    out.say("\nVersions")
    out.table(
        ["version", "first seen", "last seen", "title"],
        [
            [
                v.version,
                out.local_time(v.first_seen_at, site),
                out.local_time(v.last_seen_at, site),
                v.title,
            ]
            for v in versions
        ],
    )
    if related:
        out.say("\nRelated")
        out.table(
            ["#", "id", "in archive", "title"],
            [[r["position"], r["article_id"], r["archived"], r["title"]] for r in related],
        )


@click.command()
@db_option
@click.option(
    "--runs",
    "run_count",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="Last runs to list.",
)
@json_option
def stats(db: str | None, run_count: int, as_json: bool | None) -> None:
    """Totals, by kind, by month, missing ids, and the last runs with their status."""
    store = open_store(db)
    figures = store.stats()
    # Each article's month on its own site's clock, not the offset its page happened to give.
    figures.by_month = months_in_site_time(store.engine, out.site_zone)
    runs = RunLog(store.engine).latest(run_count)
    if out.wants_json(as_json):
        out.emit_json(
            {
                "articles": figures.total,
                "by_kind": _by_kind(figures.articles),
                "by_month": figures.by_month,
                "versions": figures.versions,
                "related_links": figures.related_links,
                "missing": figures.missing,
                "dropped": figures.dropped,
                "failed": figures.failed,
                "published_from": figures.published_from,
                "published_to": figures.published_to,
                "runs": [_run_json(run) for run in runs],
            }
        )
        return
    out.say(f"{figures.total} articles archived, {figures.versions} versions of their text")
    out.table(["site", "kind", "articles"], [[s, k, n] for (s, k), n in figures.articles.items()])
    if figures.published_from and figures.published_to:
        sites = {s for s, _ in figures.articles}
        if len(sites) == 1:
            [only] = sites
            first = out.local_time(figures.published_from, only)
            last = out.local_time(figures.published_to, only)
            out.say(f"published {first} to {last} ({out.clock(only)})")
        else:  # no one site's clock fits them all
            out.say(
                f"published {out.utc(figures.published_from)} to {out.utc(figures.published_to)}"
            )
    out.say(f"{figures.related_links} related links, {figures.missing} linked ids not archived")
    if figures.dropped:
        out.say("pages dropped: " + ", ".join(f"{r}: {n}" for r, n in figures.dropped.items()))
    if figures.failed:
        out.say("pages not fetched: " + ", ".join(f"{s}: {n}" for s, n in figures.failed.items()))
    if figures.by_month:
        out.say("\nBy month of publication (site time)")
        out.table(["month", "articles"], [[m, n] for m, n in figures.by_month.items()])
    if runs:
        out.say("\nLast runs")
        out.table(
            ["run", "site", "started", "status", "pages", "new", "versions", "message"],
            [_run_row(run) for run in runs],
        )


@click.command()
@db_option
@click.argument("article_id")
@article_site_option
@json_option
def history(db: str | None, article_id: str, site: str | None, as_json: bool | None) -> None:
    """The versions of an article's text, with a unified diff between each and the next."""
    store = open_store(db)
    site = article_site(store, site, article_id)
    versions = store.history(site, article_id)
    if not versions:
        raise click.ClickException(f"{site}/{article_id} is not in the archive")
    returned = reverts(article_captures(store.engine, site, article_id))
    if out.wants_json(as_json):
        for version in versions:
            out.emit_json(
                {
                    "site": site,
                    "article_id": article_id,
                    **dataclasses.asdict(version),
                    "returns": [
                        _return_json(revert) for revert in returns_to(returned, version.version)
                    ],
                }
            )
        return
    out.heading(site, article_id, len(versions), "version")
    previous = None
    for version in versions:
        seen = f"first seen {out.local_time(version.first_seen_at, site)}"
        last = f"last seen {out.local_time(version.last_seen_at, site)}"
        digest = version.content_hash[:12]
        out.say(f"\nversion {version.version}: {seen}, {last}, sha256 {digest}")
        if previous is None:
            out.say(f"  {version.title}")
        else:
            diff = difflib.unified_diff(
                _lines(previous),
                _lines(version),
                f"version {previous.version}",
                f"version {version.version}",
                lineterm="",
            )
            out.say("\n".join(diff))
        previous = version
    if returned:
        times = "once" if len(returned) == 1 else f"{len(returned)} times"
        out.say(f"\nThe text went back {times}")
        out.table(
            ["when", "back to", "from", "note"],
            [
                [
                    out.local_time(revert.at, site),
                    f"version {revert.reverts_to}",
                    f"version {revert.replaced}",
                    _note(revert),
                ]
                for revert in returned
            ],
        )


def _note(revert: Revert) -> str:
    notes = ["flip-flop"] if revert.flip_flop else []
    if revert.times > 1:
        notes.append(f"back for the {_ordinal(revert.times)} time")
    return ", ".join(notes)


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _return_json(revert: Revert) -> dict[str, Any]:
    """A return to a version, in `history --json` (times UTC, as every time in JSON)."""
    return {
        "at": revert.at,
        "reverts_to": revert.reverts_to,
        "from_version": revert.replaced,
        "times": revert.times,
        "flip_flop": revert.flip_flop,
    }


def _lines(version: Version) -> list[str]:
    """Title, then one line a paragraph: the unit an editor changes."""
    return [version.title, "", *version.body.split("\n\n")]


def _by_kind(articles: dict[tuple[str, str], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (_, kind), count in articles.items():
        totals[kind] = totals.get(kind, 0) + count
    return totals


def _run_row(run: RunRecord) -> list[Any]:
    counts = run.counts
    started = out.local_time(run.started_at, run.site)
    return [
        run.id,
        run.site,
        started,
        run.status,
        counts.pages_fetched,
        counts.new_articles,
        counts.new_versions,
        run.message or "",
    ]


def _run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "site": run.site,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "message": run.message,
        **dataclasses.asdict(run.counts),
    }
