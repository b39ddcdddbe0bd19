"""The commands a researcher runs (search, show, stats, export, graph), on both databases."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import nullcontext
from dataclasses import dataclass

import pytest

from crawler.export.records import FIELDS
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT, crawl, fresh_postgresql_database, seed_expected

FETCHED_LOCALLY = {"url", "images"}  # the local copy's host, not the live site's


@dataclass
class Archive:
    url: str
    site: LocalSite

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args, "--db", self.url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def json_lines(self, *args: str) -> list[dict]:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def archive(request, tmp_path_factory):
    """The local copy crawled once into each database, shared by this module's tests."""
    site = LocalSite(pages=60)
    if request.param == "sqlite":
        database = nullcontext(
            f"sqlite:///{tmp_path_factory.mktemp('archive') / 'archive.sqlite3'}"
        )
    else:
        database = fresh_postgresql_database()
    with database as url, ServerThread(site) as base_url:
        run = crawl(url, start=SEED_ID, base_url=base_url)
        assert run.returncode == 0, run.log
        yield Archive(url, site)


def ids(hits: list[dict]) -> list[str]:
    return [hit["article_id"] for hit in hits]


# -- search ---------------------------------------------------------------------------------


def test_search_finds_the_seed_article_by_a_word_of_its_body(archive):
    [hit] = archive.json_lines("search", "Hamedan", "--json")

    assert hit["article_id"] == SEED_ID
    assert "«Hamedan»" in hit["snippet"]
    assert hit["published_local"] == "2016-08-16T17:52:15+04:30"


def test_search_for_a_phrase_needs_its_words_in_order(archive):
    assert ids(archive.json_lines("search", '"air base"', "--json")) == [SEED_ID]
    assert ids(archive.json_lines("search", '"base air"', "--json")) == []


def test_search_by_prefix(archive):
    assert SEED_ID in ids(archive.json_lines("search", "Hamed*", "--json"))


def test_search_for_either_word(archive):
    hits = ids(archive.json_lines("search", "Hamedan OR Soleimani", "--json"))

    assert SEED_ID in hits and len(hits) >= 2


def test_search_excluding_a_word(archive):
    assert SEED_ID not in ids(archive.json_lines("search", "Shamkhani -Hamedan", "--json"))


def test_search_ranks_a_title_match_above_a_body_match(archive):
    hits = archive.json_lines("search", "Soleimani", "--json")

    assert hits[0]["article_id"] == "1808639"  # "... General Soleimani's Visit to Moscow"
    assert hits[0]["score"] >= hits[-1]["score"]


def test_search_filters_by_kind_date_and_site(archive):
    assert {
        h["kind"] for h in archive.json_lines("search", "Iran", "--kind", "photos", "--json")
    } == {"photos"}
    assert ids(archive.json_lines("search", "Hamedan", "--until", "2016-08-15", "--json")) == []
    in_day = archive.json_lines(
        "search", "Hamedan", "--since", "2016-08-16", "--until", "2016-08-16", "--json"
    )
    assert ids(in_day) == [SEED_ID]
    assert ids(archive.json_lines("search", "Hamedan", "--site", "elsewhere", "--json")) == []


def test_search_results_are_limited(archive):
    assert len(archive.json_lines("search", "Iran", "--limit", "3", "--json")) == 3


@pytest.mark.parametrize(
    "typed", ['"air base', "Hamedan AND", "(Hamedan", "Hamedan:*", "Hamedan^2", "Hamedan)"]
)
def test_a_query_typed_by_mistake_is_searched_as_text(archive, typed):
    done = archive.run("search", typed, "--json")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("typed", "message"),
    [("OR AND", "nothing to search for"), ("NOT Hamedan", "not only words to exclude")],
)
def test_a_query_with_nothing_to_find_is_a_clear_error(archive, typed, message):
    done = archive.run("search", typed)

    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_search_for_people_shows_title_place_and_snippet(archive):
    done = archive.run("search", "Hamedan", "--human")

    first, snippet = done.stdout.splitlines()[:2]
    assert first.startswith("Iran, Russia Engaged in Strategic Cooperation")
    assert "[alalam_en/1851093, article, 2016-08-16 17:52 +04:30]" in first
    assert "«Hamedan»" in snippet


# -- show -------------------------------------------------------------------------------------


def test_show_gives_the_record_its_versions_and_its_related_articles(archive):
    [shown] = archive.json_lines("show", SEED_ID, "--json")

    expected = {k: v for k, v in seed_expected().items() if k not in FETCHED_LOCALLY}
    assert {k: v for k, v in shown["article"].items() if k in expected} == expected
    assert [v["version"] for v in shown["versions"]] == [1]
    assert [r["article_id"] for r in shown["related"]] == archive.site.related[SEED_ID]
    assert all(r["archived"] for r in shown["related"])


def test_show_for_people_gives_local_and_utc_time_and_the_text(archive):
    text = archive.run("show", SEED_ID, "--human").stdout

    assert "published 2016-08-16 17:52 +04:30 (Asia/Tehran), 2016-08-16 13:22 UTC" in text
    assert "Iran’s Continues Helping Terror-Hit Countries" in text
    assert "Related" in text and "1808639" in text


def test_show_marks_related_articles_missing_from_the_archive(archive):
    source = next(
        a for a in archive.site.reachable() if set(archive.site.related[a]) & archive.site.missing()
    )
    [shown] = archive.json_lines("show", source, "--json")

    flags = {r["article_id"]: r["archived"] for r in shown["related"]}
    assert {i for i, archived in flags.items() if not archived} == set(
        archive.site.related[source]
    ) & archive.site.missing()


def test_show_of_an_id_not_in_the_archive_says_so(archive):
    done = archive.run("show", "999", "--json")

    assert done.returncode == 1
    assert "999 is not in the archive" in done.stderr


# -- stats ------------------------------------------------------------------------------------


def test_stats_gives_totals_kinds_months_missing_ids_and_runs(archive):
    [stats] = archive.json_lines("stats", "--json")

    assert stats["articles"] == archive.site.pages
    assert sum(stats["by_kind"].values()) == archive.site.pages
    assert sum(stats["by_month"].values()) == archive.site.pages
    assert stats["by_month"]["2016-08"] >= 1
    assert stats["missing"] == len(archive.site.missing())
    assert [(r["status"], r["new_articles"]) for r in stats["runs"]] == [
        ("finished", archive.site.pages)
    ]


def test_stats_for_people_is_a_set_of_tables(archive):
    text = archive.run("stats", "--human").stdout

    assert f"{archive.site.pages} articles archived" in text
    assert "By month of publication" in text
    assert "Last runs" in text and "finished" in text


# -- export -----------------------------------------------------------------------------------


def test_export_jsonl_writes_every_article_as_its_schema_record(archive):
    records = archive.json_lines("export", "--format", "jsonl")

    assert len(records) == archive.site.pages
    seed = next(r for r in records if r["article_id"] == SEED_ID)
    assert list(seed) == FIELDS
    assert seed["content_hash"] == seed_expected()["content_hash"]


def test_export_filters_by_kind_and_publication_date(archive):
    videos = archive.json_lines("export", "--kind", "video")
    august = archive.json_lines("export", "--since", "2016-08-01", "--until", "2016-08-31")

    assert videos and {r["kind"] for r in videos} == {"video"}
    assert august and all(r["published_at"].startswith("2016-08") for r in august)


def test_export_csv_has_one_row_an_article_with_lists_as_json(archive):
    done = archive.run("export", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == archive.site.pages
    assert list(rows[0]) == FIELDS
    seed = next(r for r in rows if r["article_id"] == SEED_ID)
    assert [link["article_id"] for link in json.loads(seed["related"])] == archive.site.related[
        SEED_ID
    ]


def test_export_parquet_keeps_the_records_nesting(archive, tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "archive.parquet"
    done = archive.run("export", "--format", "parquet", "-o", str(target))

    assert done.returncode == 0, done.stderr
    table = pq.read_table(target)
    assert table.num_rows == archive.site.pages
    seed = next(r for r in table.to_pylist() if r["article_id"] == SEED_ID)
    assert seed["related"][0]["article_id"] == "1808639"
    assert seed["published_at"].isoformat() == "2016-08-16T13:22:15+00:00"


def test_export_to_a_file_leaves_nothing_half_written(archive, tmp_path):
    target = tmp_path / "archive.jsonl"

    archive.run("export", "-o", str(target))

    assert [p.name for p in tmp_path.iterdir()] == ["archive.jsonl"]
    assert len(target.read_text("utf-8").splitlines()) == archive.site.pages


def test_parquet_to_the_terminal_is_refused(archive):
    done = archive.run("export", "--format", "parquet")

    assert done.returncode == 2
    assert "give -o FILE" in done.stderr


# -- graph ------------------------------------------------------------------------------------


def test_graph_csv_lists_every_edge_with_its_position_and_whether_the_target_is_archived(archive):
    done = archive.run("graph", "--format", "csv")

    edges = list(csv.DictReader(io.StringIO(done.stdout)))
    expected = sum(len(archive.site.related[a]) for a in archive.site.reachable())
    assert len(edges) == expected
    from_seed = [e for e in edges if e["source_id"] == SEED_ID]
    assert [e["target_id"] for e in from_seed] == archive.site.related[SEED_ID]
    assert [int(e["position"]) for e in from_seed] == list(range(12))
    missing = {e["target_id"] for e in edges if e["target_archived"] == "false"}
    assert missing == archive.site.missing()


def test_graph_graphml_has_archived_and_missing_nodes_and_every_edge(archive, tmp_path):
    target = tmp_path / "related.graphml"
    done = archive.run("graph", "--format", "graphml", "-o", str(target))

    assert done.returncode == 0, done.stderr
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    graph = ET.parse(target).getroot().find("g:graph", ns)
    nodes = graph.findall("g:node", ns)
    edges = graph.findall("g:edge", ns)
    assert len(nodes) == archive.site.pages + len(archive.site.missing())
    assert len(edges) == sum(len(archive.site.related[a]) for a in archive.site.reachable())
    seed = next(n for n in nodes if n.get("id") == f"alalam_en/{SEED_ID}")
    assert seed.find("g:data[@key='title']", ns).text.startswith("Iran, Russia Engaged")


# -- the README's SQL -------------------------------------------------------------------------


def readme_queries(dialect: str) -> list[str]:
    """The README's SQL blocks for this database (blocks marked for the other one left out)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = [block.split("```", 1)[0] for block in readme.split("```sql\n")[1:]]
    other = "-- postgresql" if dialect == "sqlite" else "-- sqlite"
    return [block for block in blocks if not block.startswith(other)]


def test_the_readmes_sql_runs_on_the_archive(archive):
    from sqlalchemy import text

    from crawler.archive.database import create_archive_engine

    engine = create_archive_engine(archive.url)
    queries = readme_queries(engine.dialect.name)
    with engine.connect() as conn:
        results = [conn.execute(text(query)).all() for query in queries]
    engine.dispose()

    assert len(queries) == 5
    per_day, most_linked, edits, missing, keyword = results
    assert sum(count for _, count in per_day) == archive.site.pages
    assert most_linked[0].links >= most_linked[-1].links
    assert edits == []  # one crawl, one version each
    assert {row.target_id for row in missing} == archive.site.missing()
    assert keyword == [("2016-08", 1)]
