"""The one way a reader gets a capture's body: by its payload digest.

Today the bodies live in the database (`payloads.body_gz`); the capture store
may later keep them in rotating WARC files or object storage with the database
as their index. Readers (show, export) ask here and nowhere else, so that move
changes this function alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.archive.payloads import DatabasePayloads, PayloadStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


PAYLOADS: PayloadStore = DatabasePayloads()
"""Where the bodies live: the writer's store (crawler.archive.payloads), read the same way."""


class PayloadMissingError(LookupError):
    """A capture names a payload the store does not hold: the archive is damaged."""


def payload_bytes(conn: Connection, digest: str) -> bytes:
    """The body exactly as received over the wire (``Content-Encoding`` still applied)."""
    body = PAYLOADS.get(conn, digest)
    if body is None:
        raise PayloadMissingError(f"payload {digest} is named by a capture but not stored")
    return body
