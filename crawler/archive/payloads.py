"""Where capture bodies live: one small interface, and the database behind it by default.

A body is keyed by its WARC payload digest, so a fetch that brings the same
bytes again adds a capture row, not the bytes. The database keeps the index
(`captures`) whatever holds the bodies; a store of rotating WARC files or
object storage implements the same three methods (`get_many` is `get` for
many bodies at once: a re-parse reads thousands, and one query a body cost
it more than their decompression).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from crawler.archive.models import Payload

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.engine import Connection

_PAYLOADS: Table = Payload.__table__  # type: ignore[assignment]


def payload_digest(data: bytes) -> str:
    """``sha1:`` and the base32 SHA-1 of the bytes, as WARC-Payload-Digest writes it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def gzipped(data: bytes) -> bytes:
    # mtime 0: the same bytes always compress alike.
    return gzip.compress(data, compresslevel=6, mtime=0)


@dataclass
class Body:
    """A body as received, with its digest; compressed once, however many places keep it."""

    data: bytes

    @cached_property
    def digest(self) -> str:
        return payload_digest(self.data)

    @cached_property
    def gz(self) -> bytes:
        return gzipped(self.data)


@dataclass(frozen=True)
class Stored:
    payload_id: int | None
    """The `payloads` row (None for a store that keeps bodies outside the database)."""
    seen_before: bool
    """The same bytes were stored before this batch: the capture is a revisit of them."""


class PayloadStore(Protocol):
    def put(self, conn: Connection, bodies: Sequence[Body]) -> dict[str, Stored]:
        """Keep each body once (by digest), in the batch's transaction; what each became."""

    def get(self, conn: Connection, digest: str) -> bytes | None:
        """The body with this digest, as received; None if not kept."""

    def get_many(self, conn: Connection, digests: Sequence[str]) -> dict[str, bytes]:
        """The bodies with these digests, as received, by digest; those not kept left out."""


class DatabasePayloads:
    """The embedded default: bodies gzip-compressed in the `payloads` table."""

    def put(self, conn: Connection, bodies: Sequence[Body]) -> dict[str, Stored]:
        unique = {body.digest: body for body in bodies}
        if not unique:
            return {}
        known = {
            row.digest: row.id
            for row in conn.execute(
                select(_PAYLOADS.c.digest, _PAYLOADS.c.id).where(
                    _PAYLOADS.c.digest.in_(list(unique))
                )
            )
        }
        fresh = [
            {"digest": digest, "size": len(body.data), "body_gz": body.gz}
            for digest, body in unique.items()
            if digest not in known
        ]
        added: dict[str, int] = {}
        if fresh:
            insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert
            # Another writer may store the same bytes meanwhile: its row is as good as ours.
            conn.execute(insert(_PAYLOADS).on_conflict_do_nothing(index_elements=["digest"]), fresh)
            added = {
                row.digest: row.id
                for row in conn.execute(
                    select(_PAYLOADS.c.digest, _PAYLOADS.c.id).where(
                        _PAYLOADS.c.digest.in_([row["digest"] for row in fresh])
                    )
                )
            }
        return {
            digest: Stored(known[digest], True) if digest in known else Stored(added[digest], False)
            for digest in unique
        }

    def get(self, conn: Connection, digest: str) -> bytes | None:
        body_gz = conn.execute(
            select(_PAYLOADS.c.body_gz).where(_PAYLOADS.c.digest == digest)
        ).scalar_one_or_none()
        return gzip.decompress(body_gz) if body_gz is not None else None

    def get_many(self, conn: Connection, digests: Sequence[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(digests))
        bodies: dict[str, bytes] = {}
        # In slices: SQLite bounds the parameters of one statement.
        for start in range(0, len(wanted), _READ_SLICE):
            query = select(_PAYLOADS.c.digest, _PAYLOADS.c.body_gz).where(
                _PAYLOADS.c.digest.in_(wanted[start : start + _READ_SLICE])
            )
            bodies.update(
                (digest, gzip.decompress(body_gz)) for digest, body_gz in conn.execute(query)
            )
        return bodies


_READ_SLICE = 500
