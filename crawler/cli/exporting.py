"""Writing the archive out: records (JSON lines, CSV, Parquet) and the related-article graph."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import click

from crawler.cli import output as out
from crawler.cli.capture_export import export_captures
from crawler.cli.options import (
    db_option,
    kind_option,
    open_store,
    output_option,
    raw_csv_option,
    since_option,
    site_option,
    until_option,
    written,
)
from crawler.export import graph as graph_export
from crawler.export import records as record_export

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "warc", "wacz"]),
    default="jsonl",
    show_default=True,
)
@since_option
@until_option
@site_option
@kind_option
@output_option
@raw_csv_option
def export(
    db: str | None,
    fmt: str,
    since: datetime | None,
    until: datetime | None,
    site: str | None,
    kind: str | None,
    output: str | None,
    raw_csv: bool,
) -> None:
    """The archive as schema records, streamed (parquet needs the [parquet] extra and -o).

    warc and wacz write the captures (every fetch as it came) instead, of those
    fetched since --since; --until and --kind do not apply to them.
    """
    store = open_store(db)
    if fmt in ("warc", "wacz"):
        if until is not None or kind is not None:
            raise click.UsageError(f"{fmt} takes --site and --since (the fetch time) only")
        export_captures(store, fmt, site=site, since=since, output=output)
        return
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
            with written(output, "wb") as handle:
                count = record_export.write_parquet(articles, handle)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
    else:
        with written(output) if output else nullcontext(sys.stdout) as handle:
            if fmt == "jsonl":
                count = record_export.write_jsonl(articles, handle)
            else:
                count = record_export.write_csv(articles, handle, raw=raw_csv)
    if output:
        click.echo(f"{count} articles written to {output}", err=True)


@click.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "graphml"]), default="csv", show_default=True
)
@site_option
@output_option
@raw_csv_option
def graph(db: str | None, fmt: str, site: str | None, output: str | None, raw_csv: bool) -> None:
    """The related-article graph: CSV of its edges, or GraphML of nodes and edges."""
    store = open_store(db)

    def tracked(items: Iterable[Any], unit: str) -> Iterable[Any]:
        return out.progress(items, unit=unit, data_on_stdout=output is None)

    with written(output) if output else nullcontext(sys.stdout) as handle:
        if fmt == "csv":
            edges = graph_export.write_edges_csv(
                tracked(store.graph_edges(site), "edges"), handle, raw=raw_csv
            )
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
