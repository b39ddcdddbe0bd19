"""python -m crawler COMMAND: query and maintain the archive without crawling.

Every command takes --db URL; without it the ARCHIVE_DB environment variable,
else sqlite:///archive.sqlite3, as a crawl does. Commands that print print
tables on a terminal and JSON otherwise (--json / --human to choose).
"""

from __future__ import annotations

import dataclasses
import difflib
import shutil
import sys
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from crawler import cli_output as out
from crawler.archive import migrate
from crawler.archive.database import create_archive_engine, database_url, redact
from crawler.archive.runs import RunLog
from crawler.archive.search import SearchFilters
from crawler.archive.search_query import QueryError, parse_query
from crawler.atomic import atomic_writer
from crawler.export import graph as graph_export
from crawler.export import records as record_export

if TYPE_CHECKING:
    from crawler.archive.runs import RunRecord
    from crawler.archive.store import ArchiveStore, Version

KINDS = ["article", "photos", "video"]

db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    default=None,
    help="Database URL (default: $ARCHIVE_DB, else sqlite:///archive.sqlite3).",
)
json_option = click.option(
    "--json/--human",
    "as_json",
    default=None,
    help="JSON for programs, or tables for people (default: tables on a terminal).",
)
site_option = click.option("--site", help="Only this site profile.")
kind_option = click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)


class DateBound(click.ParamType):
    """A date (2016-08-16) or time (2016-08-16T12:00), in UTC unless it says otherwise.

    As an upper bound a bare date means the whole of that day.
    """

    name = "date"

    def __init__(self, *, upper: bool = False) -> None:
        self.upper = upper

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2016-08-16 or 2016-08-16T12:00", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if self.upper and len(value) == 10:
            moment += timedelta(days=1)
        return moment


since_option = click.option("--since", type=DateBound(), help="Published on or after (UTC).")
until_option = click.option("--until", type=DateBound(upper=True), help="Published up to (UTC).")


@click.group()
def cli() -> None:
    """The news archive: search, read, count, export and maintain it."""


# -- reading ---------------------------------------------------------------------------------


@cli.command()
@db_option
@click.argument("query")
@since_option
@until_option
@kind_option
@site_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
def search(
    db: str | None,
    query: str,
    since: datetime | None,
    until: datetime | None,
    kind: str | None,
    site: str | None,
    limit: int,
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
    hits = _open_store(db).search(parsed, SearchFilters(site, kind, since, until, limit))
    if out.wants_json(as_json):
        for hit in hits:
            record = dataclasses.asdict(hit)
            record["snippet"] = out.highlighted(hit.snippet, for_terminal=False)
            out.emit_json(record)
        return
    if not hits:
        click.echo(f"no article matches {query!r}")
        return
    for hit in hits:
        when = out.local_time(hit.published_at, hit.site) or "undated"
        where = f"[{hit.site}/{hit.article_id}, {hit.kind}, {when}]"
        click.echo(f"{click.style(hit.title, bold=True)}  {where}")
        click.echo("    " + out.highlighted(hit.snippet, for_terminal=sys.stdout.isatty()))


@cli.command()
@db_option
@click.argument("article_id")
@click.option("--site", default="alalam_en", show_default=True, help="Site profile.")
@json_option
def show(db: str | None, article_id: str, site: str, as_json: bool | None) -> None:
    """An article as a reader wants it: text, times, versions, related articles."""
    store = _open_store(db)
    article = store.article(site, article_id)
    if article is None:
        raise click.ClickException(f"{site}/{article_id} is not in the archive")
    versions = store.history(site, article_id)
    archived = store.archived_titles(site, [link.article_id for link in article.related])
    related = [
        {
            "position": link.position,
            "article_id": link.article_id,
            "title": archived.get(link.article_id, link.title),
            "kind": link.kind,
            "archived": link.article_id in archived,
        }
        for link in article.related
    ]
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
    click.echo(click.style(article.title, bold=True))
    when = f"published {out.local_time(published, site)} ({zone}), {out.utc(published)}"
    click.echo(f"{site}/{article_id} · {article.kind} · {when if published else 'undated'}")
    click.echo(article.url)
    fetched = datetime.fromisoformat(article.fetched_at) if article.fetched_at else None
    desk = f" · desk {article.desk_code}" if article.desk_code else ""
    click.echo(
        f"version {article.version} of {len(versions)} · fetched {out.local_time(fetched, site)}"
        f" · {article.word_count} words{desk}"
    )
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    for paragraph in article.body.split("\n\n"):
        click.echo()
        if paragraph in article.subheadings:
            click.echo(click.style(paragraph, bold=True))
        else:
            click.echo(click.wrap_text(paragraph, width=width))
    if article.images:
        click.echo("\nImages")
        for image in article.images:
            click.echo(f"  {image.url}" + (f"  {image.caption}" if image.caption else ""))
    click.echo("\nVersions")
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
        click.echo("\nRelated")
        out.table(
            ["#", "id", "in archive", "title"],
            [[r["position"], r["article_id"], r["archived"], r["title"]] for r in related],
        )


@cli.command()
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
    store = _open_store(db)
    figures = store.stats()
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
    click.echo(f"{figures.total} articles archived, {figures.versions} versions of their text")
    out.table(["site", "kind", "articles"], [[s, k, n] for (s, k), n in figures.articles.items()])
    if figures.published_from and figures.published_to:
        click.echo(
            f"published {figures.published_from:%Y-%m-%d} to {figures.published_to:%Y-%m-%d} (UTC)"
        )
    click.echo(f"{figures.related_links} related links, {figures.missing} linked ids not archived")
    if figures.dropped:
        click.echo("pages dropped: " + ", ".join(f"{r}: {n}" for r, n in figures.dropped.items()))
    if figures.failed:
        click.echo(
            "pages not fetched: " + ", ".join(f"{s}: {n}" for s, n in figures.failed.items())
        )
    if figures.by_month:
        click.echo("\nBy month of publication (site time)")
        out.table(["month", "articles"], [[m, n] for m, n in figures.by_month.items()])
    if runs:
        click.echo("\nLast runs")
        out.table(
            ["run", "site", "started", "status", "pages", "new", "versions", "message"],
            [_run_row(run) for run in runs],
        )


@cli.command()
@db_option
@click.argument("article_id")
@click.option("--site", default="alalam_en", show_default=True, help="Site profile.")
def history(db: str | None, article_id: str, site: str) -> None:
    """The versions of an article's text, with a unified diff between each and the next."""
    versions = _open_store(db).history(site, article_id)
    if not versions:
        raise click.ClickException(f"{site}/{article_id} is not in the archive")
    click.echo(f"{site}/{article_id}: {len(versions)} version{'s' if len(versions) > 1 else ''}")
    previous = None
    for version in versions:
        seen = f"first seen {version.first_seen_at:%Y-%m-%d %H:%M:%S} UTC"
        last = f"last seen {version.last_seen_at:%Y-%m-%d %H:%M:%S} UTC"
        digest = version.content_hash[:12]
        click.echo(f"\nversion {version.version}: {seen}, {last}, sha256 {digest}")
        if previous is None:
            click.echo(f"  {version.title}")
        else:
            diff = difflib.unified_diff(
                _lines(previous),
                _lines(version),
                f"version {previous.version}",
                f"version {version.version}",
                lineterm="",
            )
            click.echo("\n".join(diff))
        previous = version


def _lines(version: Version) -> list[str]:
    """Title, then one line a paragraph: the unit an editor changes."""
    return [version.title, "", *version.body.split("\n\n")]


# -- writing out -------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
)
@since_option
@until_option
@site_option
@kind_option
@output_option
def export(
    db: str | None,
    fmt: str,
    since: datetime | None,
    until: datetime | None,
    site: str | None,
    kind: str | None,
    output: str | None,
) -> None:
    """The archive as schema records, streamed (parquet needs the [parquet] extra and -o)."""
    store = _open_store(db)
    articles = store.iter_articles(site, kind=kind, since=since, until=until)
    if fmt == "parquet":
        if not output:
            raise click.UsageError("parquet is binary: give -o FILE")
        try:
            with atomic_writer(output, "wb") as handle:
                count = record_export.write_parquet(articles, handle)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
    else:
        writer = record_export.write_jsonl if fmt == "jsonl" else record_export.write_csv
        with atomic_writer(output) if output else nullcontext(sys.stdout) as handle:
            count = writer(articles, handle)
    if output:
        click.echo(f"{count} articles written to {output}", err=True)


@cli.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "graphml"]), default="csv", show_default=True
)
@site_option
@output_option
def graph(db: str | None, fmt: str, site: str | None, output: str | None) -> None:
    """The related-article graph: CSV of its edges, or GraphML of nodes and edges."""
    store = _open_store(db)
    with atomic_writer(output) if output else nullcontext(sys.stdout) as handle:
        if fmt == "csv":
            edges = graph_export.write_edges_csv(store.graph_edges(site), handle)
            nodes = None
        else:
            nodes, edges = graph_export.write_graphml(
                store.graph_nodes(site), store.graph_edges(site), handle
            )
    if output:
        counted = f"{nodes} nodes and " if nodes is not None else ""
        click.echo(f"{counted}{edges} edges written to {output}", err=True)


# -- maintenance -------------------------------------------------------------------------------


@cli.command()
@db_option
@site_option
@click.option("--since", type=DateBound(), help="Only pages fetched on or after (UTC).")
def reparse(db: str | None, site: str | None, since: datetime | None) -> None:
    """Run the current parser over the stored raw pages, without any network."""
    from crawler.archive.db_errors import ArchiveUnwritable
    from crawler.archive.reparse import reparse as run_reparse

    store = _open_store(db, writer=True)
    try:
        counts = run_reparse(store, site=site, since=since)
    except ArchiveUnwritable as error:
        raise click.ClickException(str(error)) from error
    total = sum(counts.values())
    details = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    click.echo(f"{total} stored pages parsed again: {details or 'none'}")


@cli.group()
def db() -> None:
    """The archive database itself."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create or migrate the database to the latest schema (alembic upgrade head)."""
    url = database_url(db)
    before, after = migrate.upgrade(url)
    if before == after:
        click.echo(f"{redact(url)} is up to date (revision {after})")
    else:
        click.echo(f"{redact(url)} migrated from {before or 'empty'} to {after}")


def _open_store(db: str | None, *, writer: bool = False) -> ArchiveStore:
    from crawler.archive.store import ArchiveStore

    url = database_url(db)
    try:
        migrate.check_current(url)
    except migrate.ArchiveSchemaError as error:
        raise click.ClickException(str(error)) from error
    return ArchiveStore(create_archive_engine(url, writer=writer))


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


def main() -> None:
    cli(prog_name="python -m crawler")
