"""`news-archive export --format wacz`: the captures as a WACZ 1.1.1, on both databases."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from crawler.cli import cli
from localcopy.site import SEED_ID
from tests.captures_data import write_captures

WARCIO = Path(sys.executable).parent / "warcio"
LAYOUT = {
    "archive/data.warc.gz",
    "indexes/index.cdxj",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
}


@pytest.fixture
def captured(database_url):
    return write_captures(database_url)


@pytest.fixture
def wacz(captured, tmp_path) -> zipfile.ZipFile:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "archive.wacz"
    done = CliRunner().invoke(
        cli,
        ["export", "--format", "wacz", "-o", str(target), "--db", captured.url],
        catch_exceptions=False,
    )
    assert done.exit_code == 0, done.stderr
    assert done.stderr == f"6 captures written to {target}\n"
    assert [p.name for p in out.iterdir()] == ["archive.wacz"]  # no work files left beside it
    return zipfile.ZipFile(target)


def index(wacz: zipfile.ZipFile) -> list[tuple[str, str, dict]]:
    lines = wacz.read("indexes/index.cdxj").decode().splitlines()
    return [(key, ts, json.loads(rest)) for key, ts, rest in (ln.split(" ", 2) for ln in lines)]


def test_the_wacz_has_the_specs_layout_with_the_warc_stored_uncompressed(wacz):
    assert set(wacz.namelist()) == LAYOUT
    assert wacz.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED


def test_the_datapackage_names_every_file_with_its_size_and_sha256(wacz):
    package = json.loads(wacz.read("datapackage.json"))

    assert package["profile"] == "data-package"
    assert package["wacz_version"] == "1.1.1"
    named = {r["path"]: r for r in package["resources"]}
    assert set(named) == LAYOUT - {"datapackage.json", "datapackage-digest.json"}
    for path, resource in named.items():
        data = wacz.read(path)
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_datapackage_digest_is_the_datapackages_own(wacz):
    digest = json.loads(wacz.read("datapackage-digest.json"))

    expected = "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()
    assert digest == {"path": "datapackage.json", "hash": expected}


def test_the_warc_inside_passes_warcio_check(wacz, tmp_path):
    warc = tmp_path / "data.warc.gz"
    warc.write_bytes(wacz.read("archive/data.warc.gz"))

    checked = subprocess.run([str(WARCIO), "check", str(warc)], capture_output=True, check=False)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_index_is_sorted_and_lists_responses_and_revisits(wacz):
    entries = index(wacz)

    assert [(key, ts) for key, ts, _ in entries] == sorted((key, ts) for key, ts, _ in entries)
    seed = [e for _, _, e in entries if e["url"].endswith(f"/news/{SEED_ID}")]
    assert [e["mime"] for e in seed] == [
        "text/html", "warc/revisit", "warc/revisit", "text/html", "text/html",
    ]  # fmt: skip
    assert {e["filename"] for _, _, e in entries} == {"data.warc.gz"}


def test_each_index_entry_points_at_its_record_in_the_warc(wacz):
    warc = wacz.read("archive/data.warc.gz")

    for _, _, entry in index(wacz):
        start = int(entry["offset"])
        member = io.BytesIO(warc[start : start + int(entry["length"])])
        [record] = list(ArchiveIterator(member))
        assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert record.rec_type in ("response", "revisit")


def test_the_pages_list_each_distinct_body_of_an_article_when_fetched(wacz, captured):
    header, *pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]

    assert header["format"] == "json-pages-1.0"
    bodies = [f for f in captured.fetches if f.wire is not None and f.outcome != "unchanged"]
    assert [p["ts"][:19] for p in pages] == [f.fetched_at.isoformat()[:19] for f in bodies]
    assert {p["url"] for p in pages} == {captured.seed_url, captured.seed_url[:-7] + "1700001"}


def test_wacz_needs_a_file_to_write(captured):
    done = CliRunner().invoke(cli, ["export", "--format", "wacz", "--db", captured.url])

    assert done.exit_code == 2
    assert "give -o FILE.wacz" in done.stderr
