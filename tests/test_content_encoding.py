"""Undoing Content-Encoding: a capture's wire bytes back to the page the parser read."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from backports import zstd

from crawler.parsing.content_encoding import UnknownContentEncodingError, decoded_body

PAGE = b"<html><body><p>Hamedan air base</p></body></html>"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "wire"),
    [
        ("gzip", gzip.compress(PAGE, mtime=0)),
        ("x-gzip", gzip.compress(PAGE, mtime=0)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", _raw_deflate(PAGE)),  # as some servers send it, and browsers accept
        ("br", brotli.compress(PAGE)),
        ("zstd", zstd.compress(PAGE)),
        ("identity", PAGE),
        ("GZIP", gzip.compress(PAGE, mtime=0)),
    ],
    ids=["gzip", "x-gzip", "zlib", "raw-deflate", "br", "zstd", "identity", "GZIP"],
)
def test_each_content_encoding_is_undone(coding, wire):
    assert decoded_body(wire, [["Content-Encoding", coding]]) == PAGE


def test_a_body_without_content_encoding_is_the_page_itself():
    assert decoded_body(PAGE, [["Content-Type", "text/html"]]) == PAGE


def test_codings_applied_in_turn_are_undone_last_first():
    wire = brotli.compress(gzip.compress(PAGE))

    assert decoded_body(wire, [["Content-Encoding", "gzip, br"]]) == PAGE
    assert decoded_body(wire, [["Content-Encoding", "gzip"], ["content-encoding", "br"]]) == PAGE


def test_a_gzip_body_of_several_members_is_read_whole():
    wire = gzip.compress(PAGE[:10]) + gzip.compress(PAGE[10:])

    assert decoded_body(wire, [["Content-Encoding", "gzip"]]) == PAGE


def test_an_encoding_it_cannot_undo_is_an_error_not_a_guess():
    with pytest.raises(UnknownContentEncodingError, match="'compress' cannot be undone"):
        decoded_body(PAGE, [["Content-Encoding", "compress"]])


def test_a_body_that_is_not_what_its_header_says_is_an_error():
    with pytest.raises(UnknownContentEncodingError, match="not valid gzip"):
        decoded_body(PAGE, [["Content-Encoding", "gzip"]])
