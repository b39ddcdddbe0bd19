"""Reading the captures back: an article's list, one capture's page, and the stream an export reads.

Readers only: the capture store (the write path) fills `captures` and
`payloads`; bodies are read through `crawler.archive.capture_reader` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, select

from crawler.archive.capture_reader import payload_bytes
from crawler.archive.models import Capture

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from sqlalchemy.engine import Connection, Engine, Row


@dataclass(frozen=True)
class CaptureSummary:
    """One line of `news-archive captures`: a fetch and what the archive made of it."""

    number: int
    """1 for the article's oldest capture, 2 for the next, ... (``--capture N``)."""
    capture_id: int
    fetched_at: datetime
    http_status: int
    payload_digest: str | None
    size: int
    outcome: str
    version: int | None
    reason: str | None


@dataclass(frozen=True)
class CapturedPage:
    """A capture and the body it shows, as it came over the wire."""

    summary: CaptureSummary
    url: str
    response_headers: list[list[str]]
    encoding: str | None
    body: bytes
    """The wire bytes (``Content-Encoding`` still applied)."""
    body_from: int | None
    """The number of the capture whose body this is when it is not this one's own:
    a ``304`` shows the page it confirmed."""


_CAPTURES: Table = Capture.__table__  # type: ignore[assignment]
_ORDER = (Capture.fetched_at, Capture.id)


def article_captures(engine: Engine, site: str, article_id: str) -> list[CaptureSummary]:
    """Every capture of an article, oldest first; empty when there is none."""
    query = (
        select(
            Capture.id,
            Capture.fetched_at,
            Capture.http_status,
            Capture.payload_digest,
            Capture.size,
            Capture.outcome,
            Capture.version,
            Capture.reason,
        )
        .where(Capture.site == site, Capture.article_id == article_id)
        .order_by(*_ORDER)
    )
    with engine.connect() as conn:
        return [CaptureSummary(n, *row) for n, row in enumerate(conn.execute(query), start=1)]


def chosen(
    captures: list[CaptureSummary], *, number: int | None = None, at: datetime | None = None
) -> CaptureSummary | None:
    """Capture `number`, else the last fetched at or before `at`, else the last of all."""
    if number is not None:
        return captures[number - 1] if 1 <= number <= len(captures) else None
    if at is not None:
        before = [c for c in captures if c.fetched_at <= at]
        return before[-1] if before else None
    return captures[-1] if captures else None


def captured_page(
    engine: Engine, captures: list[CaptureSummary], which: CaptureSummary
) -> CapturedPage:
    """`which` with its body; a capture without one (a 304) shows the page it refers to."""
    numbers = {c.capture_id: c.number for c in captures}
    with engine.connect() as conn:
        row = _capture_row(conn, which.capture_id)
        source = row
        seen = {row.id}
        # A 304 confirms an earlier capture, which may itself be a 304: follow them back.
        while source.payload_digest is None and source.refers_to is not None:
            if source.refers_to in seen:
                break
            seen.add(source.refers_to)
            source = _capture_row(conn, source.refers_to)
        body = payload_bytes(conn, source.payload_digest) if source.payload_digest else b""
    return CapturedPage(
        summary=which,
        url=row.url,
        response_headers=source.response_headers,
        encoding=source.encoding,
        body=body,
        body_from=numbers.get(source.id) if source.id != row.id else None,
    )


def _capture_row(conn: Connection, capture_id: int) -> Row[Any]:
    return conn.execute(select(_CAPTURES).where(_CAPTURES.c.id == capture_id)).one()


# -- the stream an export reads ------------------------------------------------------------


@dataclass(frozen=True)
class ExportedCapture:
    """A capture as a WARC writer needs it, with the capture whose response it repeats."""

    capture: Row[Any]
    """The `captures` row, every column."""
    original_id: int | None
    """The first capture in the exported range with the same article and payload, when it is
    another one: this capture is then a revisit of it (for a 304, of the page it confirms)."""
    original_url: str | None
    original_fetched_at: datetime | None
    refers_url: str | None
    """The capture named by `refers_to` (for a 304 whose page is outside the range)."""
    refers_fetched_at: datetime | None
    refers_digest: str | None
    """The payload digest of the capture named by `refers_to`: for a 304, the page confirmed."""


def iter_exported_captures(
    conn: Connection, *, site: str | None = None, since: datetime | None = None
) -> Iterator[ExportedCapture]:
    """Captures in the order they were stored, streamed (a server-side cursor on PostgreSQL).

    A revisit always comes after the capture it refers to, so a writer needs no
    memory of what it wrote: the original of each is found by the query.
    """
    c = _CAPTURES.alias("c")
    ref = _CAPTURES.alias("ref")
    first = _CAPTURES.alias("first")
    orig = _CAPTURES.alias("orig")
    in_range = [] if since is None else [first.c.fetched_at >= since]
    digest = func.coalesce(c.c.payload_digest, ref.c.payload_digest)
    original = (
        select(func.min(first.c.id))
        .where(
            first.c.site == c.c.site,
            first.c.article_id == c.c.article_id,
            first.c.payload_digest == digest,
            first.c.id <= c.c.id,  # a revisit refers back, never to a record after it
            *in_range,
        )
        .correlate(c, ref)
        .scalar_subquery()
    )
    extra = (
        orig.c.id.label("x_original_id"),
        orig.c.url.label("x_original_url"),
        orig.c.fetched_at.label("x_original_at"),
        ref.c.url.label("x_refers_url"),
        ref.c.fetched_at.label("x_refers_at"),
        ref.c.payload_digest.label("x_refers_digest"),
    )
    query = (
        select(c, *extra)
        .select_from(c.outerjoin(ref, ref.c.id == c.c.refers_to))
        .outerjoin(orig, orig.c.id == original)
        .where(
            *([] if site is None else [c.c.site == site]),
            *([] if since is None else [c.c.fetched_at >= since]),
        )
        .order_by(c.c.id)
    )
    for row in conn.execution_options(yield_per=500).execute(query):
        repeats = row.x_original_id is not None and row.x_original_id != row.id
        yield ExportedCapture(
            row,
            row.x_original_id if repeats else None,
            row.x_original_url if repeats else None,
            row.x_original_at if repeats else None,
            row.x_refers_url,
            row.x_refers_at,
            row.x_refers_digest,
        )


def count_exported_captures(
    engine: Engine, *, site: str | None = None, since: datetime | None = None
) -> int:
    """How many captures `iter_exported_captures` gives with the same filters."""
    query = select(func.count()).select_from(Capture)
    if site is not None:
        query = query.where(Capture.site == site)
    if since is not None:
        query = query.where(Capture.fetched_at >= since)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()
