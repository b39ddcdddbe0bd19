"""What reading a sitemap adds to memory, by its number of URLs: flat, since it is streamed.

    python -m bench.sitemap_memory --urls 200000     # prints JSON: urls, entries, seconds, growth

The sitemap (gzip, as large sites serve them) is written to a temporary file
first, then read in a fresh process, so the figure is the reader's alone:
the peak RSS while it reads (the process's high-water mark, reset once the
imports are done; Linux) less the RSS before.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_sitemap(path: Path, urls: int) -> None:
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for number in range(1, urls + 1):
            out.write(
                b"<url><loc>https://en.alalam.ir/news/%d</loc>"
                b"<lastmod>2026-11-30T10:00:00+00:00</lastmod></url>\n" % (1_000_000 + number)
            )
        out.write(b"</urlset>\n")


def read_sitemap(path: Path) -> dict[str, float]:
    from crawler.discovery.report import SourceReport
    from crawler.discovery.sitemaps import sitemap_entries
    from crawler.sites import get_profile

    profile = get_profile("alalam_en")
    report = SourceReport("https://en.alalam.ir/sitemap.xml", "sitemap")
    # The process's high-water mark is its imports' until reset: reading a sitemap
    # stays below it, and the peak would say nothing of the reader.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    body = path.read_bytes()  # as the crawl holds it: the response body, gzip
    entries = sum(1 for _ in sitemap_entries(body, report.url, profile, report))
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    return {
        "entries": entries,
        "seconds": round(seconds, 2),
        "body_mb": round(len(body) / 2**20, 1),
        "rss_before_mb": round(before / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "growth_mb": round((peak - before) / 1024, 1),
    }


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(urls: int) -> dict[str, float]:
    """Write a sitemap of `urls` URLs and read it in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="archive-bench-sitemap-") as work:
        path = Path(work, "sitemap.xml.gz")
        write_sitemap(path, urls)
        done = subprocess.run(
            [sys.executable, "-m", "bench.sitemap_memory", "--read", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    return {"urls": urls, **json.loads(done.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sitemap_memory")
    parser.add_argument("--urls", type=int, default=200_000)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    figures = read_sitemap(args.read) if args.read else measure(args.urls)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
