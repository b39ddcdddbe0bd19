"""news-archive COMMAND (or python -m crawler COMMAND): crawl, query and maintain the archive.

`crawl` is the spider (crawler.cli_crawl). Every other command takes --db URL;
without it the ARCHIVE_DB environment variable, else sqlite:///archive.sqlite3,
as a crawl does. Commands that print print tables on a terminal and JSON
otherwise (--json / --human to choose).

Exit codes (`crawl` has its own, see crawler.commands.crawl): 0 done, 1 an
error (not in the archive, no archive, a bad file, a query with nothing to
search for, ...), 2 a bad argument or a database that cannot be opened
(unreachable, login refused, unknown role or database, a URL that is not one).
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import click

from crawler import cli_output as out
from crawler import cli_profiles
from crawler.archive import migrate
from crawler.archive.database import create_archive_engine, database_url, redact, unavailable
from crawler.archive.runs import RunLog
from crawler.archive.search import DEFAULT_TIMEOUT, SearchFilters, SearchTimeout
from crawler.archive.search_query import QueryError, parse_query
from crawler.atomic import NotAFileError, atomic_writer
from crawler.cli_crawl import crawl
from crawler.export import graph as graph_export
from crawler.export import records as record_export
from crawler.sites.profile import KINDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from crawler.archive.runs import RunRecord
    from crawler.archive.store import ArchiveStore, Version

DISTRIBUTION = "news-archive"

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION, message="%(package)s %(version)s")
def cli() -> None:
    """The news archive: crawl, search, read, count, export and maintain it."""


cli.add_command(crawl)


# -- reading ---------------------------------------------------------------------------------


@cli.command()
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
    store = _open_store(db)
    try:
        hits = store.search(parsed, SearchFilters(site, kind, since, until, limit), timeout)
    except SearchTimeout as error:
        raise click.ClickException(
            f"{error}: narrow it with --since, --until, --site or --kind, or allow --timeout"
        ) from None
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
@click.option(
    "--raw",
    is_flag=True,
    help="The stored page as fetched: its bytes, or its text in its charset on a terminal.",
)
@json_option
def show(db: str | None, article_id: str, site: str, raw: bool, as_json: bool | None) -> None:
    """An article as a reader wants it: text, times, versions, related articles."""
    store = _open_store(db)
    if raw:
        if as_json:
            raise click.UsageError("--raw prints the page itself; leave out --json")
        _show_raw(store, site, article_id)
        return
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
    if not published:
        # A date without a time is kept as the date alone (see The schema).
        when = f"published {article.published_local}" if article.published_local else "undated"
    click.echo(f"{site}/{article_id} · {article.kind} · {when}")
    click.echo(article.url)
    if article.authors:
        click.echo(f"by {', '.join(article.authors)}")
    fetched = datetime.fromisoformat(article.fetched_at) if article.fetched_at else None
    desk = f" · desk {article.desk_code}" if article.desk_code else ""
    click.echo(
        f"version {article.version} of {len(versions)} · fetched {out.local_time(fetched, site)}"
        f" · {article.word_count} words{desk}"
    )
    out.article_text(
        article.body, article.subheadings, article.field_sources, sources_label="Field sources"
    )
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


def _show_raw(store: ArchiveStore, site: str, article_id: str) -> None:
    """The page exactly as fetched when piped; on a terminal, decoded as it was when archived."""
    from crawler.parsing.decode import page_text

    page = store.raw_page(site, article_id)
    if page is None:
        raise click.ClickException(f"no page of {site}/{article_id} was ever fetched")
    if sys.stdout.isatty():
        click.echo(page_text(page.body, page.encoding))
        return
    sys.stdout.buffer.write(page.body)
    sys.stdout.buffer.flush()


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
        sites = {s for s, _ in figures.articles}
        if len(sites) == 1:
            [only] = sites
            first = out.local_time(figures.published_from, only)
            last = out.local_time(figures.published_to, only)
            click.echo(f"published {first} to {last} ({out.clock(only)})")
        else:  # no one site's clock fits them all
            click.echo(
                f"published {out.utc(figures.published_from)} to {out.utc(figures.published_to)}"
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
@json_option
def history(db: str | None, article_id: str, site: str, as_json: bool | None) -> None:
    """The versions of an article's text, with a unified diff between each and the next."""
    versions = _open_store(db).history(site, article_id)
    if not versions:
        raise click.ClickException(f"{site}/{article_id} is not in the archive")
    if out.wants_json(as_json):
        for version in versions:
            out.emit_json({"site": site, "article_id": article_id, **dataclasses.asdict(version)})
        return
    count = f"{len(versions)} version{'s' if len(versions) > 1 else ''}"
    click.echo(f"{site}/{article_id}: {count} (times: {out.clock(site)})")
    previous = None
    for version in versions:
        seen = f"first seen {out.local_time(version.first_seen_at, site)}"
        last = f"last seen {out.local_time(version.last_seen_at, site)}"
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


@cli.command(context_settings={"ignore_unknown_options": True})
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.argument("datasette_options", nargs=-1, type=click.UNPROCESSED)
def datasette(db: str | None, host: str, port: int, datasette_options: tuple[str, ...]) -> None:
    """Browse a SQLite archive in Datasette (the [datasette] extra).

    Opens article_list: full-text search, facets by site, kind and month,
    each article's text on its own page, times labelled UTC. Further
    options go to `datasette serve` as they are, e.g. `-- --setting
    sql_time_limit_ms 5000`.
    """
    import os

    from crawler.browsing.launch import BrowseError, datasette_argv, list_address

    url = database_url(db)
    try:
        argv = datasette_argv(url, host=host, port=port, extra=datasette_options)
    except (BrowseError, migrate.ArchiveSchemaError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"The articles: {list_address(url, host=host, port=port)} (Ctrl-C stops)", err=True)
    # Datasette takes over this process: one process to stop, signals go straight to it.
    os.execv(argv[0], argv)


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
    articles = out.progress(
        store.iter_articles(site, kind=kind, since=since, until=until),
        unit="articles",
        total=lambda: store.count_articles(site, kind=kind, since=since, until=until),
        data_on_stdout=output is None,
    )
    if fmt == "parquet":
        if not output:
            raise click.UsageError("parquet is binary: give -o FILE")
        try:
            with _written(output, "wb") as handle:
                count = record_export.write_parquet(articles, handle)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
    else:
        writer = record_export.write_jsonl if fmt == "jsonl" else record_export.write_csv
        with _written(output) if output else nullcontext(sys.stdout) as handle:
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

    def tracked(items: Iterable[Any], unit: str) -> Iterable[Any]:
        return out.progress(items, unit=unit, data_on_stdout=output is None)

    with _written(output) if output else nullcontext(sys.stdout) as handle:
        if fmt == "csv":
            edges = graph_export.write_edges_csv(tracked(store.graph_edges(site), "edges"), handle)
            nodes = None
        else:
            nodes, edges = graph_export.write_graphml(
                tracked(store.graph_nodes(site), "nodes"),
                tracked(store.graph_edges(site), "edges"),
                handle,
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
    from crawler.sites import ProfileError, UnknownSiteError

    store = _open_store(db, writer=True)
    try:
        counts = run_reparse(
            store,
            site=site,
            since=since,
            progress=lambda pages: out.progress(
                pages, unit="pages", total=lambda: store.count_raw_pages(site, since)
            ),
        )
    except (UnknownSiteError, ProfileError) as error:
        hint = "a user's profile is found through ARCHIVE_SITES_DIR"
        raise click.ClickException(f"{error} ({hint})") from error
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
    with database_errors(url):
        before, after = migrate.upgrade(url)
    if before == after:
        click.echo(f"{redact(url)} is up to date (revision {after})")
    else:
        click.echo(f"{redact(url)} migrated from {before or 'empty'} to {after}")


def _open_store(db: str | None, *, writer: bool = False) -> ArchiveStore:
    from crawler.archive.store import ArchiveStore

    url = database_url(db)
    with database_errors(url):
        try:
            migrate.check_current(url)
        except migrate.ArchiveSchemaError as error:
            raise click.ClickException(str(error)) from error
        return ArchiveStore(create_archive_engine(url, writer=writer))


@contextmanager
def _written(output: str, mode: str = "w") -> Iterator[IO[Any]]:
    """`output` written whole (see crawler.atomic); a target that is no file refused in a line."""
    try:
        with atomic_writer(output, mode) as handle:
            yield handle
    except NotAFileError as error:
        raise click.ClickException(str(error)) from None


class DatabaseUnavailable(click.ClickException):
    """One line, exit code 2: the database cannot be opened (see crawler.archive.database)."""

    exit_code = 2


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be opened is one line and exit code 2, never a traceback."""
    try:
        yield
    except Exception as error:
        refusal = unavailable(error, url)
        if refusal is None:
            raise
        raise DatabaseUnavailable(refusal) from None


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


cli_profiles.register(cli)  # parse, profile check


def main() -> None:
    cli()  # click names the program: news-archive, or python -m crawler
