"""The one way a reader gets a capture's body: by its payload digest.

Today the bodies live in the database (`payloads.body_gz`); the capture store
may later keep them in rotating WARC files or object storage with the database
as their index. Readers (show, export) ask here and nowhere else, so that move
changes this function alone.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

from sqlalchemy import select

from crawler.archive.models import Payload

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class PayloadMissingError(LookupError):
    """A capture names a payload the store does not hold: the archive is damaged."""


def payload_bytes(conn: Connection, digest: str) -> bytes:
    """The body exactly as received over the wire (``Content-Encoding`` still applied)."""
    stored = conn.execute(select(Payload.body_gz).where(Payload.digest == digest)).scalar()
    if stored is None:
        raise PayloadMissingError(f"payload {digest} is named by a capture but not stored")
    return gzip.decompress(stored)
