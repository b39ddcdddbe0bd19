"""`news-archive export --format warc`: the captures as WARC/1.1, on both databases.

The archive holds captures as the crawl's capture store writes them
(tests/captures_data.py): gzip on the wire, an ETag, a 304, a repeated body,
a held notice. What is checked is what an archivist's tools read back.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.database import create_archive_engine
from crawler.archive.models import Payload
from crawler.cli import cli
from crawler.export.warc import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, http_block
from localcopy.site import SEED_ID
from tests.captures_data import CP1252_ID, digest, write_captures, write_many_captures

WARCIO = Path(sys.executable).parent / "warcio"


@pytest.fixture
def captured(database_url):
    return write_captures(database_url)


def export(captured, target: Path, *args: str):
    return CliRunner().invoke(
        cli,
        ["export", "--format", "warc", "-o", str(target), *args, "--db", captured.url],
        catch_exceptions=False,
    )


@pytest.fixture
def warc(captured, tmp_path) -> Path:
    target = tmp_path / "archive.warc.gz"
    done = export(captured, target)
    assert done.exit_code == 0, done.stderr
    return target


def members(path: Path) -> list[bytes]:
    """The file's gzip members, each decompressed."""
    data, found = path.read_bytes(), []
    while data:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        found.append(decoder.decompress(data))
        data = decoder.unused_data
    return found


def records(path: Path) -> list:
    """Every record as warcio reads it, with `block_bytes`: its block exactly as written."""
    found = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            found.append(record)
    for record, member in zip(found, members(path), strict=True):
        _, block = member.split(b"\r\n\r\n", 1)
        assert block.endswith(b"\r\n\r\n")
        record.block_bytes = block[: -len(b"\r\n\r\n")]
        assert len(record.block_bytes) == int(record.rec_headers.get_header("Content-Length"))
    return found


def of_type(path: Path, kind: str) -> list:
    return [r for r in records(path) if r.rec_type == kind]


def header(record, name: str) -> str | None:
    return record.rec_headers.get_header(name)


def test_warcio_check_verifies_every_digest_of_the_export(warc):
    checked = subprocess.run(
        [str(WARCIO), "check", "-v", str(warc)], capture_output=True, text=True, check=False
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout
    assert "fail" not in checked.stdout


def test_the_file_says_warc_1_1_and_begins_with_a_warcinfo(warc):
    first, *rest = records(warc)

    assert first.rec_type == "warcinfo"
    assert {r.rec_headers.protocol for r in [first, *rest]} == {"WARC/1.1"}
    assert b"software: news-archive " in first.block_bytes


def test_every_record_is_a_gzip_member_of_its_own(warc):
    each = members(warc)

    assert len(each) == 1 + 2 * 6  # a warcinfo, then a request and a response a capture
    assert all(member.startswith(b"WARC/1.1\r\n") for member in each)


def test_each_capture_has_a_request_concurrent_to_its_response_or_revisit(warc, captured):
    found = records(warc)
    requests = [r for r in found if r.rec_type == "request"]
    answers = {header(r, "WARC-Record-ID"): r for r in found if r.rec_type != "request"}

    assert len(requests) == len(captured.fetches)
    for request in requests:
        answer = answers[header(request, "WARC-Concurrent-To")]
        assert header(answer, "WARC-Target-URI") == header(request, "WARC-Target-URI")
        assert header(answer, "WARC-Date") == header(request, "WARC-Date")


def test_the_request_keeps_the_headers_sent_in_order_with_the_validators(warc, captured):
    second = of_type(warc, "request")[1]
    sent = captured.of(SEED_ID)[1].request_headers

    block = http_block(f"GET /news/{SEED_ID} HTTP/1.1", sent)
    assert second.block_bytes == block
    assert [n for n, _ in second.http_headers.headers][-2:] == [
        "If-None-Match",
        "If-Modified-Since",
    ]


def test_the_response_keeps_status_line_headers_and_gzip_body_verbatim(warc, captured):
    first = captured.of(SEED_ID)[0]
    response = of_type(warc, "response")[0]

    block = http_block("HTTP/1.1 200 OK", first.response_headers)
    assert response.block_bytes == block + first.wire
    assert gzip.decompress(first.wire) == first.page
    assert header(response, "WARC-Date") == "2026-11-20T08:00:00.123456Z"


def test_the_payload_digest_is_the_captures_own(warc, captured):
    response = of_type(warc, "response")[0]

    assert header(response, "WARC-Payload-Digest") == digest(captured.of(SEED_ID)[0].wire)


def test_a_304_is_a_server_not_modified_revisit_of_the_page_it_confirmed(warc, captured):
    original = of_type(warc, "response")[0]
    not_modified = of_type(warc, "revisit")[0]

    assert header(not_modified, "WARC-Profile") == SERVER_NOT_MODIFIED
    assert not_modified.http_headers.get_statuscode() == "304"
    assert header(not_modified, "WARC-Refers-To") == header(original, "WARC-Record-ID")
    assert header(not_modified, "WARC-Refers-To-Target-URI") == captured.seed_url
    assert header(not_modified, "WARC-Refers-To-Date") == header(original, "WARC-Date")


def test_a_repeated_body_is_an_identical_payload_revisit_without_the_body(warc, captured):
    original = of_type(warc, "response")[0]
    repeated = of_type(warc, "revisit")[1]

    assert header(repeated, "WARC-Profile") == IDENTICAL_PAYLOAD
    assert header(repeated, "WARC-Payload-Digest") == header(original, "WARC-Payload-Digest")
    assert header(repeated, "WARC-Refers-To") == header(original, "WARC-Record-ID")
    assert header(repeated, "WARC-Refers-To-Date") == header(original, "WARC-Date")
    assert repeated.block_bytes == http_block(
        "HTTP/1.1 200 OK", captured.of(SEED_ID)[2].response_headers
    )


def test_held_and_dropped_captures_are_exported_as_fetched(warc, captured):
    bodies = [r.block_bytes for r in of_type(warc, "response")]

    assert any(b.endswith(captured.of(SEED_ID)[4].wire) for b in bodies)  # the held notice
    assert any(b.endswith(captured.of(CP1252_ID)[0].wire) for b in bodies)  # a dropped page


def test_since_leaves_out_older_captures_and_a_repeat_of_one_becomes_a_response(captured, tmp_path):
    target = tmp_path / "since.warc.gz"
    repeat = captured.of(SEED_ID)[2]

    done = export(captured, target, "--since", repeat.fetched_at.isoformat())

    assert done.exit_code == 0, done.stderr
    kinds = [r.rec_type for r in records(target) if r.rec_type != "request"]
    assert kinds == ["warcinfo", "response", "response", "response"]
    first = of_type(target, "response")[0]
    assert first.block_bytes.endswith(repeat.wire)


def test_site_chooses_the_captures_of_one_site(captured, tmp_path):
    target = tmp_path / "elsewhere.warc.gz"

    done = export(captured, target, "--site", "elsewhere")

    assert done.exit_code == 0, done.stderr
    assert [r.rec_type for r in records(target)] == ["warcinfo"]
    assert "0 captures written" in done.stderr


def test_the_export_piped_to_stdout_is_the_same_warc(captured, warc):
    done = CliRunner().invoke(cli, ["export", "--format", "warc", "--db", captured.url])

    assert done.exit_code == 0, done.stderr
    piped = warc.with_name("piped.warc.gz")
    piped.write_bytes(done.stdout_bytes)
    same = [(r.rec_type, r.block_bytes) for r in records(piped)[1:]]
    assert same == [(r.rec_type, r.block_bytes) for r in records(warc)[1:]]


def test_a_body_that_no_longer_matches_its_digest_stops_the_export_and_writes_nothing(
    captured, tmp_path
):
    engine = create_archive_engine(captured.url, writer=True)
    with engine.begin() as conn:
        conn.execute(update(Payload).values(body_gz=gzip.compress(b"tampered")))
    engine.dispose()
    target = tmp_path / "damaged.warc.gz"

    done = export(captured, target)

    assert done.exit_code == 1
    assert "archive damaged, nothing written" in done.stderr
    assert not target.exists()


def test_warc_takes_no_kind_or_until(captured, tmp_path):
    done = export(captured, tmp_path / "x.warc.gz", "--kind", "news")

    assert done.exit_code == 2


MEMORY_PROBE = """
import resource, sys
from crawler.cli import cli
try:
    cli(sys.argv[1:])
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_memory_kib(url: str, target: Path) -> int:
    """The peak resident memory of an export run as its own process."""
    export = ["export", "--format", "warc", "-o", str(target), "--db", url]
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, *export],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stderr.splitlines()[-1])


def test_memory_stays_flat_however_much_the_archive_holds(database_url, tmp_path):
    small = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    write_many_captures(small, 2, 256 * 1024)
    total = write_many_captures(database_url, 240, 256 * 1024)  # 60 MiB of bodies

    baseline = peak_memory_kib(small, tmp_path / "small.warc.gz")
    peak = peak_memory_kib(database_url, tmp_path / "large.warc.gz")

    assert (tmp_path / "large.warc.gz").stat().st_size > total
    assert peak - baseline < 24 * 1024, f"{peak - baseline} KiB more for {total >> 20} MiB"


def test_a_304_whose_page_is_older_than_since_still_names_it(captured, tmp_path):
    target = tmp_path / "since.warc.gz"
    first, not_modified = captured.of(SEED_ID)[:2]

    export(captured, target, "--since", not_modified.fetched_at.isoformat())

    revisit = of_type(target, "revisit")[0]
    assert header(revisit, "WARC-Profile") == SERVER_NOT_MODIFIED
    assert header(revisit, "WARC-Refers-To-Date") == "2026-11-20T08:00:00.123456Z"
    assert header(revisit, "WARC-Payload-Digest") == digest(first.wire)


def test_a_header_beyond_ascii_is_written_as_its_octets_not_percent_encoded():
    block = http_block("HTTP/1.1 200 OK", [["X-Title", "Téhéran"], ["X-Name", "تهران"]])

    assert block == (
        b"HTTP/1.1 200 OK\r\nX-Title: T\xe9h\xe9ran\r\n"
        + b"X-Name: " + "تهران".encode() + b"\r\n\r\n"
    )  # fmt: skip
