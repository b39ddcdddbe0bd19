"""`export --format warc | wacz`: the captures written out as web archives, streamed."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler.archive.capture_reader import PayloadMissingError, payload_bytes
from crawler.archive.captures_read import count_exported_captures, iter_exported_captures
from crawler.cli import output as out
from crawler.cli.options import written
from crawler.export.warc import PayloadDigestMismatchError, write_warc

if TYPE_CHECKING:
    from datetime import datetime

    from crawler.archive.store import ArchiveStore

DISTRIBUTION = "news-archive"


def software() -> str:
    return f"{DISTRIBUTION} {version(DISTRIBUTION)} (warcio {version('warcio')})"


def _wacz_writer() -> Any:
    try:
        from crawler.export.wacz import write_wacz
    except ImportError:  # pragma: no cover - depends on the install
        raise click.ClickException(
            "wacz export needs cdxj-indexer: pip install '.[wacz]' in a checkout of news-archive"
        ) from None
    return write_wacz


def export_captures(
    store: ArchiveStore,
    fmt: str,
    *,
    site: str | None,
    since: datetime | None,
    output: str | None,
) -> None:
    """Every capture (of `site`, fetched since `since`) to `output` or stdout."""
    if fmt == "wacz" and not output:
        raise click.UsageError("wacz is a zip file: give -o FILE.wacz")
    if not output and sys.stdout.isatty():
        raise click.UsageError("warc is binary: give -o FILE.warc.gz or pipe it")
    engine = store.engine
    # Two connections: one streams the captures, the other reads each body as it comes.
    with engine.connect() as stream, engine.connect() as bodies:
        captures = out.progress(
            iter_exported_captures(stream, site=site, since=since),
            unit="captures",
            total=lambda: count_exported_captures(engine, site=site, since=since),
            data_on_stdout=output is None,
        )

        def body(digest: str) -> bytes:
            return payload_bytes(bodies, digest)

        try:
            if fmt == "wacz":
                write_wacz = _wacz_writer()
                with written(output, "wb") as handle:
                    count = write_wacz(
                        captures,
                        body,
                        handle,
                        software=software(),
                        work_dir=Path(output).resolve().parent,
                    )
            elif output:
                with written(output, "wb") as handle:
                    count = write_warc(
                        captures, body, handle, filename=Path(output).name, software=software()
                    )
            else:
                count = write_warc(
                    captures, body, sys.stdout.buffer, filename=None, software=software()
                )
                sys.stdout.buffer.flush()
        except (PayloadMissingError, PayloadDigestMismatchError) as error:
            raise click.ClickException(f"archive damaged, nothing written: {error}") from None
    if output:
        click.echo(f"{count} captures written to {output}", err=True)
