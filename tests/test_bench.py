"""The benchmark's own figures: what they measure and how the table names them."""

from __future__ import annotations

import pytest

from bench.report import _discovery_rows
from bench.sitemap_memory import measure


def test_reading_a_sitemap_is_measured_above_the_memory_of_the_imports():
    """The process's high-water mark was its imports': the peak equalled the RSS before."""
    figures = measure(20_000)

    assert figures["entries"] == 20_000
    assert figures["peak_rss_mb"] > figures["rss_before_mb"]
    growth = figures["peak_rss_mb"] - figures["rss_before_mb"]
    # Each figure is rounded to 0.1 MB on its own: the difference of two may be a step off.
    assert figures["growth_mb"] == pytest.approx(growth, abs=0.1 + 1e-9)


def test_the_sitemap_row_names_the_sizes_that_were_measured():
    small = {"urls": 5_000, "growth_mb": 0.6, "body_mb": 0.1, "seconds": 0.1}
    large = {"urls": 50_000, "growth_mb": 0.9, "body_mb": 0.2, "seconds": 0.5}
    discovery = {
        "new_pages": 10,
        "listed": 50_000,
        "discovery_new": 10,
        "requests": 17,
        "requests_bound": 17,
        "wall_s": 1.0,
        "wall_ratio_to_first": 0.1,
        "peak_rss_mb": 100,
    }
    memory = {"small": small, "large": large, "growth_difference_mb": 0.3}

    rows = list(_discovery_rows({"discovery": discovery, "sitemap_memory": memory}))

    name, figure, _, met = rows[-1]
    assert name == "8. reading a sitemap, 50,000 URLs"
    assert "+0.9 MB (+0.6 MB at 5,000 URLs" in figure
    assert met == "met"


def test_the_readers_row_names_what_each_reading_costs():
    from bench.report import _fallback_rows

    cost = {
        "rules_ms": 1.0,
        "fallbacks_ms": 20.0,
        "fallbacks_ratio": 20.0,
        "fallbacks_real_pages_ms": 60.0,
        "written_date_us": 50.0,
        "date_line_us": 55.0,
        "byline_us": 67.0,
        "language_detect_ms": 2.1,
    }
    quality = {"pages": 10, "f1_mean": 0.95, "f1_trafilatura_mean": 0.94}

    rows = list(_fallback_rows({"cost": cost, "quality": quality}))

    assert rows[1][:2] == (
        "9. readers: written date / date line / byline / language",
        "50 / 55 / 67 us, 2.1 ms CPU",
    )


def test_the_revisit_rows_give_304s_bytes_stored_time_and_growth_per_capture():
    from bench.report import _revisit_rows

    revisit = {
        "first": {"wall_s": 20.0, "pages": 2000},
        "recrawl": {"wall_s": 8.0, "pages": 2000},
        "answered_304": 1990,
        "unchanged_pages": 2000,
        "requests": 2874,
        "share_304": 0.995,
        "wall_ratio_to_first": 0.4,
        "bytes_added_by_recrawl": 400_000,
        "payload_bytes_added_by_recrawl": 0,
        "bytes_per_capture": 9000.0,
        "payload_bytes_per_capture": 4000.0,
        "bytes_per_revisit_row": 420.0,
        "bytes_per_304": 200.0,
    }

    rows = list(_revisit_rows(revisit, 2000))

    assert [row[0] for row in rows] == [
        "11. re-crawl, unchanged 2,000-page site: answered 304",
        "11. re-crawl, unchanged 2,000-page site: bytes stored",
        "11. re-crawl, unchanged 2,000-page site: time",
        "11. archive growth",
    ]
    assert rows[0][1:] == (
        "1,990 of 2,000 unchanged pages = 99.5% (2,874 requests)",
        ">= 90%",
        "met",
    )
    assert rows[1][3] == "met"  # no body stored again
    assert rows[2][1] == "8.0 s = 0.40 of first (20.0 s)"
    assert rows[3][1] == "9000 B a new capture (4000 B of body), 420 B a revisit row, 200 B a 304"


def test_the_crawls_alone_give_each_process_cpu_a_page_beside_the_ratios():
    """`--only crawl`: rows 1 and 2, and where each crawl's CPU went, a page at a time."""
    from bench.report import table

    def crawl(pages_per_s: float, **by_role: float) -> dict[str, object]:
        return {
            "pages_per_s": pages_per_s,
            "ratio_to_ceiling": pages_per_s / 200,
            "cpu_ms_per_page_by_role": by_role,
        }

    results = {
        "pages": 2000,
        "ceiling": crawl(200, main=4.0, server=0.9),
        "full_sqlite": crawl(190, main=4.2, server=0.9, worker=2.5),
    }

    lines = table(results).splitlines()

    assert "1. ceiling, 2,000 pages" in lines[2]
    assert "0.95 of ceiling" in lines[3]
    assert "main 4.00 / server 0.90 ms" in lines[4]
    assert "main 4.20 / server 0.90 / worker 2.50 ms" in lines[5]
    assert len(lines) == 6


def test_the_ceiling_crawls_every_page_of_the_local_copy(tmp_path):
    """Scrapy's ceiling walks the whole copy: its callback is not handed a capture."""
    import os
    import subprocess

    from bench.harness import bench_crawl_command
    from localcopy.server import ServerThread
    from localcopy.site import LocalSite
    from tests.conftest import ROOT, stat

    site = LocalSite(pages=20, orphans=0)
    with ServerThread(site) as url:
        done = subprocess.run(
            bench_crawl_command("ceiling", url),
            cwd=ROOT,
            env={**os.environ, "ARCHIVE_DB": f"sqlite:///{tmp_path / 'ceiling.sqlite3'}"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    assert "Spider error" not in done.stderr
    served = {article_id for _, article_id in site.requests}
    assert served >= site.reachable()
    assert stat(done.stderr, "response_received_count") >= len(site.reachable())
