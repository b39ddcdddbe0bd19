"""The captures as a WARC/1.1 file (ISO 28500), as archivists exchange and replay them.

One gzip member a record: a ``warcinfo`` first, then for each capture a
``request`` and, concurrent to it, a ``response`` carrying the HTTP block as it
came (status line, headers in order, the body as sent on the wire, gzip and
all) or a ``revisit``: for a ``304`` (profile server-not-modified) and for a
body equal to an earlier capture's of the same article in the file (profile
identical-payload-digest), each naming the record it refers to.

warcio builds and digests the records; the HTTP blocks are written from the
capture as kept, byte for byte, not re-serialised by warcio (which would
percent-encode a header it cannot write in ASCII). One capture is held in
memory at a time, so an export of millions of captures runs in flat memory.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from crawler.archive.captures_read import ExportedCapture

WARC_VERSION = "1.1"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
WARC_1_1_SPEC = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Record ids are derived from the capture, so that the same archive exported twice
# gives the same ids and a revisit can name its original without a table in memory.
_RECORD_NAMESPACE = uuid.UUID("0f6f6b2e-5d1c-4c38-9a52-7d3f0e2b8a41")


class PayloadDigestMismatchError(ValueError):
    """A stored body no longer matches the digest its capture recorded: the archive is damaged."""


class VerbatimHeaders(StatusAndHeaders):
    """A status line and headers whose bytes are given, so that warcio writes them unchanged."""

    def __init__(
        self, block: bytes, statusline: str, headers: list[tuple[str, str]], protocol: str
    ):
        super().__init__(statusline, headers, protocol=protocol)
        self._block = block

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._block


def header_bytes(text: str) -> bytes:
    """A header as octets: HTTP's latin-1 where it fits, UTF-8 for anything beyond it."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def http_block(first_line: str, headers: Iterable[list[str] | tuple[str, str]]) -> bytes:
    """A status or request line and the headers in order, ended by the empty line."""
    lines = [header_bytes(first_line)]
    lines += [header_bytes(name) + b": " + header_bytes(value) for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def record_id(capture_id: int, site: str, article_id: str, kind: str) -> str:
    name = f"news-archive/{site}/{article_id}/capture/{capture_id}/{kind}"
    return f"<urn:uuid:{uuid.uuid5(_RECORD_NAMESPACE, name)}>"


def warc_date(moment: datetime) -> str:
    """WARC/1.1's date: UTC, to the microsecond the capture was stamped with."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def request_target(url: str) -> str:
    """The request line's target: the path and query of `url` (origin form)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class CaptureWarcWriter:
    """Writes captures to `out` as WARC records, one gzip member each."""

    def __init__(self, out: IO[bytes], body: Callable[[str], bytes]) -> None:
        self._writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
        self._body = body
        """The stored body of a payload digest (crawler.archive.capture_reader)."""

    def write_warcinfo(self, filename: str | None, software: str) -> None:
        info = {
            "software": software,
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1_SPEC,
            "description": "Captures of article pages from a news archive, as fetched",
        }
        self._writer.write_record(self._writer.create_warcinfo_record(filename, info))

    def write_capture(self, exported: ExportedCapture) -> None:
        capture = exported.capture
        response = self._response_record(exported)
        request = self._request_record(capture, response.rec_headers.get_header("WARC-Record-ID"))
        self._writer.write_record(request)
        self._writer.write_record(response)

    def _ids(self, capture: Any, kind: str) -> str:
        return record_id(capture.id, capture.site, capture.article_id, kind)

    def _request_record(self, capture: Any, concurrent_to: str) -> Any:
        line = f"{capture.method} {request_target(capture.final_url)} {capture.http_version}"
        block = http_block(line, capture.request_headers)
        headers = VerbatimHeaders(
            block,
            f"{request_target(capture.final_url)} {capture.http_version}",
            [tuple(h) for h in capture.request_headers],
            protocol=capture.method,
        )
        return self._writer.create_warc_record(
            capture.final_url,
            "request",
            http_headers=headers,
            warc_headers_dict={
                "WARC-Record-ID": self._ids(capture, "request"),
                "WARC-Date": warc_date(capture.fetched_at),
                "WARC-Concurrent-To": concurrent_to,
            },
        )

    def _response_headers(self, capture: Any) -> VerbatimHeaders:
        statusline = f"{capture.http_status} {capture.http_reason}".rstrip()
        block = http_block(f"{capture.http_version} {statusline}", capture.response_headers)
        headers = [tuple(h) for h in capture.response_headers]
        return VerbatimHeaders(block, statusline, headers, protocol=capture.http_version)

    def _response_record(self, exported: ExportedCapture) -> Any:
        capture = exported.capture
        warc_headers = {
            "WARC-Record-ID": self._ids(capture, "response"),
            "WARC-Date": warc_date(capture.fetched_at),
        }
        http_headers = self._response_headers(capture)
        if capture.http_status == 304:
            if exported.refers_digest:
                # Optional for this profile; with it, replay tools find the page confirmed.
                warc_headers["WARC-Payload-Digest"] = exported.refers_digest
            return self._revisit(exported, SERVER_NOT_MODIFIED, http_headers, warc_headers)
        if exported.original_id is not None:
            warc_headers["WARC-Payload-Digest"] = capture.payload_digest
            return self._revisit(exported, IDENTICAL_PAYLOAD, http_headers, warc_headers)
        body = self._body(capture.payload_digest) if capture.payload_digest else b""
        record = self._writer.create_warc_record(
            capture.final_url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        computed = record.rec_headers.get_header("WARC-Payload-Digest")
        if capture.payload_digest and computed != capture.payload_digest:
            raise PayloadDigestMismatchError(
                f"capture {capture.id}: the stored body's digest is {computed},"
                f" the capture recorded {capture.payload_digest}"
            )
        return record

    def _revisit(
        self,
        exported: ExportedCapture,
        profile: str,
        http_headers: VerbatimHeaders,
        warc_headers: dict[str, str],
    ) -> Any:
        capture = exported.capture
        if exported.original_id is not None:
            original = (exported.original_id, exported.original_url, exported.original_fetched_at)
        else:  # a 304 whose page lies outside the exported range: name it all the same
            original = (capture.refers_to, exported.refers_url, exported.refers_fetched_at)
        referent, target, when = original
        if referent is not None and target is not None and when is not None:
            warc_headers["WARC-Refers-To"] = record_id(
                referent, capture.site, capture.article_id, "response"
            )
            warc_headers["WARC-Refers-To-Target-URI"] = target
            warc_headers["WARC-Refers-To-Date"] = warc_date(when)
        warc_headers["WARC-Profile"] = profile
        return self._writer.create_warc_record(
            capture.final_url, "revisit", http_headers=http_headers, warc_headers_dict=warc_headers
        )


def write_warc(
    captures: Iterable[ExportedCapture],
    body: Callable[[str], bytes],
    out: IO[bytes],
    *,
    filename: str | None,
    software: str,
) -> int:
    """The WARC file of `captures` (in the order stored); how many captures it holds."""
    writer = CaptureWarcWriter(out, body)
    writer.write_warcinfo(filename, software)
    count = 0
    for exported in captures:
        writer.write_capture(exported)
        count += 1
    return count
