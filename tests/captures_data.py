"""Captures as the crawl's capture store would have written them, for the tests of what reads them.

One article fetched five times from a server that sends gzip on the wire and
answers validators: its first page, a ``304`` to the revisit, the same gzip
bytes again (a server that ignored the validator), an edit, and an outage
notice the gate held. A second article was served in windows-1252, declared
only in its page's ``<meta>``, without ``Content-Encoding``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.models import Capture, Payload
from localcopy.site import SEED_ID, LocalSite

SITE = "alalam_en"
BASE = "http://127.0.0.1:8765"
CP1252_ID = "1700001"
CP1252_PAGE = (
    '<html><head><meta charset="windows-1252"><title>Iran’s page</title></head>'
    "<body><p>Iran’s page, in windows-1252</p></body></html>"
)
NOTICE = b"<html><body><p>This page is temporarily unavailable.</p></body></html>"
FIRST_AT = datetime(2026, 11, 20, 8, 0, 0, 123456, tzinfo=UTC)
ETAG = '"5f2a-v1"'
LAST_MODIFIED = "Tue, 16 Aug 2016 13:22:15 GMT"


def digest(body: bytes) -> str:
    """As WARC writes a payload digest: ``sha1:`` and the base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


@dataclass
class Fetch:
    """One capture as inserted: what a test compares the readers' output with."""

    id: int
    """Its `captures.id` once inserted."""
    article_id: str
    fetched_at: datetime
    status: int
    outcome: str
    version: int | None
    reason: str | None
    wire: bytes | None
    """The body as sent (gzip where the headers say so); None for a 304."""
    page: bytes | None
    """The page itself, Content-Encoding undone."""
    request_headers: list[list[str]]
    response_headers: list[list[str]]
    refers_to: int | None = None


@dataclass
class CapturedArchive:
    url: str
    fetches: list[Fetch] = field(default_factory=list)

    def of(self, article_id: str) -> list[Fetch]:
        return [f for f in self.fetches if f.article_id == article_id]

    @property
    def seed_url(self) -> str:
        return f"{BASE}/news/{SEED_ID}"


def _request(*validators: list[str]) -> list[list[str]]:
    return [
        ["Host", "127.0.0.1:8765"],
        ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
        ["Accept-Language", "en"],
        ["User-Agent", "news-archive/0.1 (+https://example.org/archive)"],
        ["Accept-Encoding", "gzip, deflate, br, zstd"],
        *validators,
    ]


def _response(at: datetime, wire: bytes | None, *, gzipped: bool, etag: str) -> list[list[str]]:
    headers = [
        ["Server", "nginx/1.24.0"],
        ["Date", http_date(at)],
        ["Content-Type", "text/html; charset=utf-8" if gzipped else "text/html"],
    ]
    if wire is not None:
        headers.append(["Content-Length", str(len(wire))])
    if gzipped and wire is not None:
        headers.append(["Content-Encoding", "gzip"])
    headers += [["ETag", etag], ["Last-Modified", LAST_MODIFIED], ["Vary", "Accept-Encoding"]]
    return headers


def write_captures(url: str, site: LocalSite | None = None) -> CapturedArchive:
    """The captures above, inserted through the models (the schema created if need be)."""
    ensure_current(url)
    page = (site or LocalSite(pages=60)).reply(SEED_ID).body
    edited = page.replace(b"air base", b"airbase")
    at = [FIRST_AT + timedelta(days=d) for d in range(5)]
    gz_first = gzip.compress(page, mtime=0)
    gz_edited = gzip.compress(edited, mtime=0)
    gz_notice = gzip.compress(NOTICE, mtime=0)
    asked = (["If-None-Match", ETAG], ["If-Modified-Since", LAST_MODIFIED])
    archive = CapturedArchive(url)
    engine = create_archive_engine(url, writer=True)
    with engine.begin() as conn:
        stored: set[str] = set()

        def seed(day, status, outcome, version, reason, wire, body, request, refers=None):
            when = at[day]
            etag = '"5f2a-v2"' if outcome == "version" else ETAG
            headers = _response(when, wire, gzipped=True, etag=etag)
            refers_to = archive.fetches[refers].id if refers is not None else None
            fetch = Fetch(
                0, SEED_ID, when, status, outcome, version, reason, wire, body, request,
                headers, refers_to,
            )  # fmt: skip
            _insert(conn, fetch, stored, encoding="utf-8")
            archive.fetches.append(fetch)

        seed(0, 200, "new", 1, None, gz_first, page, _request())
        seed(1, 304, "not_modified", 1, None, None, None, _request(*asked), refers=0)
        seed(2, 200, "unchanged", 1, None, gz_first, page, _request(*asked), refers=0)
        seed(3, 200, "version", 2, None, gz_edited, edited, _request())
        seed(4, 200, "held", None, "layout_drift", gz_notice, NOTICE, _request())
        cp1252 = CP1252_PAGE.encode("cp1252")
        other = Fetch(
            0, CP1252_ID, at[0] + timedelta(minutes=5), 200, "dropped", None,
            "no_title", cp1252, cp1252, _request(),
            _response(at[0], cp1252, gzipped=False, etag='"cp"'),
        )  # fmt: skip
        _insert(conn, other, stored, encoding=None)
        archive.fetches.append(other)
    engine.dispose()
    return archive


def _insert(conn, fetch: Fetch, stored: set[str], *, encoding: str | None) -> None:
    wire_digest = digest(fetch.wire) if fetch.wire is not None else None
    payload_id = None
    if fetch.wire is not None:
        if wire_digest not in stored:
            conn.execute(
                insert(Payload).values(
                    digest=wire_digest, size=len(fetch.wire), body_gz=gzip.compress(fetch.wire)
                )
            )
            stored.add(wire_digest)
        payload_id = (
            conn.execute(Payload.__table__.select().where(Payload.digest == wire_digest)).one().id
        )
    url = f"{BASE}/news/{fetch.article_id}"
    reason = {200: "OK", 304: "Not Modified"}[fetch.status]
    fetch.id = conn.execute(
        insert(Capture)
        .returning(Capture.id)
        .values(
            site=SITE,
            article_id=fetch.article_id,
            url=url,
            final_url=url,
            fetched_at=fetch.fetched_at,
            method="GET",
            request_headers=fetch.request_headers,
            http_version="HTTP/1.1",
            http_status=fetch.status,
            http_reason=reason,
            response_headers=fetch.response_headers,
            content_type=dict(fetch.response_headers)["Content-Type"],
            encoding=encoding if fetch.wire is not None else None,
            payload_id=payload_id,
            payload_digest=wire_digest,
            size=len(fetch.wire) if fetch.wire is not None else 0,
            outcome=fetch.outcome,
            version=fetch.version,
            reason=fetch.reason,
            warnings=[],
            refers_to=fetch.refers_to,
        )
    ).scalar_one()


def write_many_captures(url: str, count: int, size: int) -> int:
    """`count` captures of as many articles, each body `size` bytes that do not compress.

    An archive whose bodies outweigh what an export may hold in memory; returns their total.
    """
    ensure_current(url)
    bodies = random.Random(16)
    engine = create_archive_engine(url, writer=True)
    with engine.begin() as conn:
        for n in range(count):
            wire = bodies.randbytes(size)
            payload_id = conn.execute(
                insert(Payload)
                .returning(Payload.id)
                .values(digest=digest(wire), size=size, body_gz=gzip.compress(wire, 1))
            ).scalar_one()
            article_id = str(1_900_000 + n)
            at = FIRST_AT + timedelta(seconds=n)
            headers = [["Content-Type", "text/html"], ["Content-Length", str(size)]]
            conn.execute(
                insert(Capture).values(
                    site=SITE, article_id=article_id, url=f"{BASE}/news/{article_id}",
                    final_url=f"{BASE}/news/{article_id}", fetched_at=at, method="GET",
                    request_headers=_request(), http_version="HTTP/1.1", http_status=200,
                    http_reason="OK", response_headers=headers, content_type="text/html",
                    encoding="utf-8", payload_id=payload_id, payload_digest=digest(wire),
                    size=size, outcome="new", version=1, reason=None, warnings=[],
                    refers_to=None,
                )
            )  # fmt: skip
    engine.dispose()
    return count * size
