"""The captures as a WACZ 1.1.1 file: the WARC, its CDXJ index and its pages, zipped.

The layout is the spec's (https://specs.webrecorder.net/wacz/1.1.1/):
``archive/data.warc.gz``, ``indexes/index.cdxj`` (written by webrecorder's
cdxj-indexer, the index py-wacz and pywb use), ``pages/pages.jsonl`` (one page
a response: each distinct body of an article page, when it was fetched), and
``datapackage.json`` naming each file with its size and SHA-256, itself
digested in ``datapackage-digest.json``. ReplayWeb.page opens it as it is.

py-wacz would add some fifty packages (frictionless, pydantic, ...) for what
is a zip of four files; the WARC and the index come from the same libraries
it uses. The WARC and the index are written to temporary files beside the
target first, so memory stays flat however large the archive.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

with warnings.catch_warnings():
    # cdxj-indexer imports pyamf (for Flash AMF requests), which imports pkg_resources and
    # warns that it is deprecated: nothing a user of the export can act on.
    warnings.simplefilter("ignore", UserWarning)
    from cdxj_indexer.main import CDXJIndexer

from crawler.export.warc import CaptureWarcWriter, warc_date

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from crawler.archive.captures_read import ExportedCapture

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
_CHUNK = 1 << 20


def _pages(captures: Iterable[ExportedCapture], pages: IO[str]) -> Iterator[ExportedCapture]:
    """`captures` as they pass, each one that carries a body listed as a page."""
    pages.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All pages"}))
    pages.write("\n")
    for exported in captures:
        capture = exported.capture
        if capture.payload_digest and exported.original_id is None:
            page = {
                "id": f"capture-{capture.id}",
                "url": capture.final_url,
                "ts": warc_date(capture.fetched_at),
                "title": f"{capture.site}/{capture.article_id}",
            }
            pages.write(json.dumps(page, ensure_ascii=False) + "\n")
        yield exported


def write_wacz(
    captures: Iterable[ExportedCapture],
    body: Callable[[str], bytes],
    out: IO[bytes],
    *,
    software: str,
    work_dir: Path | None = None,
) -> int:
    """The WACZ of `captures` written to `out` (a seekable file); how many captures it holds."""
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=work_dir) as work:
        folder = Path(work)
        warc_path, index_path, pages_path = (
            folder / WARC_NAME,
            folder / "index.cdxj",
            folder / "pages.jsonl",
        )
        count = 0
        with warc_path.open("wb") as warc, pages_path.open("w", encoding="utf-8") as pages:
            writer = CaptureWarcWriter(warc, body)
            writer.write_warcinfo(WARC_NAME, software)
            for exported in _pages(captures, pages):
                writer.write_capture(exported)
                count += 1
        # Sorted as replay needs it; the indexer sorts in bounded memory, spilling to disk.
        CDXJIndexer(str(index_path), [str(warc_path)], sort=True, filename=WARC_NAME).process_all()
        files = [
            (f"archive/{WARC_NAME}", warc_path, zipfile.ZIP_STORED),  # the spec: stored
            ("indexes/index.cdxj", index_path, zipfile.ZIP_DEFLATED),
            ("pages/pages.jsonl", pages_path, zipfile.ZIP_DEFLATED),
        ]
        with zipfile.ZipFile(out, "w", allowZip64=True) as wacz:
            resources = [_store(wacz, name, path, method) for name, path, method in files]
            package = _datapackage(resources, software)
            wacz.writestr("datapackage.json", package, zipfile.ZIP_DEFLATED)
            digest = {"path": "datapackage.json", "hash": _sha256(package)}
            wacz.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
    return count


def _store(wacz: zipfile.ZipFile, name: str, path: Path, method: int) -> dict[str, Any]:
    """`path` into the zip as `name`, digested as it is copied."""
    digest = hashlib.sha256()
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = method
    with path.open("rb") as source, wacz.open(info, "w", force_zip64=True) as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    size = path.stat().st_size
    return {
        "name": Path(name).name,
        "path": name,
        "hash": f"sha256:{digest.hexdigest()}",
        "bytes": size,
    }


def _sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def _datapackage(resources: list[dict[str, Any]], software: str) -> bytes:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    package = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": "News archive captures",
        "created": now,
        "modified": now,
        "software": software,
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
