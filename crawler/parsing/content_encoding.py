"""Undoing ``Content-Encoding``: the body a capture kept as sent, back to the page itself.

Captures keep the bytes exactly as they came over the wire; Scrapy undid the
encoding before the parser read them, and `show --raw` must do the same to
show the page. An encoding that cannot be undone is an error, never a guess.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


class UnknownContentEncodingError(ValueError):
    """The body was sent in an encoding this archive cannot undo."""


def _gunzip(body: bytes) -> bytes:
    # 16 + MAX_WBITS: a gzip header and trailer; several members are read as one stream.
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decoder.decompress(body)
    while decoder.unused_data:
        rest = decoder.unused_data
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += decoder.decompress(rest)
    return out


def _inflate(body: bytes) -> bytes:
    # RFC 9110 says zlib-wrapped; some servers send a bare deflate stream, as browsers accept.
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, -zlib.MAX_WBITS)


def _unbrotli(body: bytes) -> bytes:
    import brotli  # Scrapy's own dependency for the br it asks for

    return brotli.decompress(body)


def _unzstd(body: bytes) -> bytes:
    from backports import zstd  # Scrapy's own dependency for the zstd it asks for

    return zstd.decompress(body)


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}


def codings(headers: Iterable[tuple[str, str] | list[str]]) -> list[str]:
    """The codings applied to a body, in the order the server applied them."""
    found: list[str] = []
    for name, value in headers:
        if name.lower() == "content-encoding":
            found += [c.strip().lower() for c in value.split(",") if c.strip()]
    return [c for c in found if c != "identity"]


def decoded_body(body: bytes, headers: Iterable[tuple[str, str] | list[str]]) -> bytes:
    """`body` with every ``Content-Encoding`` of `headers` undone, last applied first."""
    for coding in reversed(codings(headers)):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise UnknownContentEncodingError(f"Content-Encoding {coding!r} cannot be undone")
        try:
            body = decoder(body)
        except Exception as error:  # each library raises its own kind
            raise UnknownContentEncodingError(f"the body is not valid {coding}: {error}") from None
    return body
