"""The benchmark's figures as the table the README shows, each beside its target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

Row = tuple[str, str, str, str]


def table(results: dict[str, Any]) -> str:
    rows: list[Row] = [("measurement", "figure", "target", ""), *_rows(results)]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def _rows(r: dict[str, Any]) -> Iterator[Row]:
    if "ceiling" in r:
        yield from _run_rows(r)
    elif "reparse" in r:  # --only reparse
        yield _reparse_row(r["reparse"])
    if "search_languages" in r:
        yield from _search_language_rows(r["search_languages"])


def _search_language_rows(figures: dict[str, Any]) -> Iterator[Row]:
    count = figures["articles_per_language"]
    for database in ("sqlite", "postgresql"):
        if database not in figures:
            continue
        by = figures[database]
        yield (
            f"10. search per language, {database}, {count:,} articles each",
            f"median en {by['en']['median_ms']:.1f} / ar {by['ar']['median_ms']:.1f} / "
            f"fa {by['fa']['median_ms']:.1f} ms = ar {by['ar']['ratio_to_en']:.2f} x, "
            f"fa {by['fa']['ratio_to_en']:.2f} x",
            "< 2 x English",
            _met(by["ar"]["ratio_to_en"] < 2 and by["fa"]["ratio_to_en"] < 2),
        )
    cost = figures["normalising"]
    yield (
        "10. text for the index, an article: en / ar / fa",
        f"{cost['en']['us']} / {cost['ar']['us']} / {cost['fa']['us']} us CPU "
        f"= ar {cost['ar']['ratio_to_en']:.1f} x, fa {cost['fa']['ratio_to_en']:.1f} x",
        "in the worker only",
        "",
    )


def _reparse_row(reparse: dict[str, Any]) -> Row:
    return (
        f"5. reparse, {reparse['pages']:,} pages",
        f"{reparse['pages_per_s']:.0f} pages/s",
        ">= 500",
        _met(reparse["pages_per_s"] >= 500),
    )


def _run_rows(r: dict[str, Any]) -> Iterator[Row]:
    pages, ceiling, full = r["pages"], r["ceiling"], r["full_sqlite"]
    yield (f"1. ceiling, {pages:,} pages", f"{ceiling['pages_per_s']:.0f} pages/s", "", "")
    yield _crawl_row("2. full crawl into SQLite, captures on", full, 0.90)
    if "full_postgresql" in r:
        yield _crawl_row("2. full crawl into PostgreSQL, captures on", r["full_postgresql"], 0.85)
    if "rerun" not in r:  # --only crawl: what each process spent a page, for comparison
        for name in ("ceiling", "full_sqlite", "full_postgresql"):
            if "cpu_ms_per_page_by_role" in r.get(name, {}):
                yield _cpu_row(name, r[name])
        return
    yield (f"3. peak RSS, {pages:,} pages", f"{full['peak_rss_mb']:.0f} MB", "", "")
    if "full_big" in r:
        large = r["full_big"]
        yield (
            f"3. peak RSS, {r['big_pages']:,} pages",
            f"{large['peak_rss_mb']:.0f} MB = {large['peak_rss_ratio_to_small']:.2f} x",
            "< 250 MB, < 1.5 x",
            _met(large["peak_rss_mb"] < 250 and large["peak_rss_ratio_to_small"] < 1.5),
        )
    rerun = r["rerun"]
    yield (
        f"4. re-run, {rerun['new_pages']} new pages",
        f"{rerun['pages']} fetched (bound {rerun['requests_bound']}), "
        f"{rerun['wall_s']:.1f} s = {rerun['wall_ratio_to_first']:.3f} of first",
        "<= bound, < 0.1",
        _met(rerun["pages"] <= rerun["requests_bound"] and rerun["wall_ratio_to_first"] < 0.1),
    )
    yield _reparse_row(r["reparse"])
    if "search" in r:
        search, export, small = r["search"], r["export_big"], r["export_small"]
        yield (
            f"6. search, {r['full_big']['new_articles']:,} articles",
            f"median {search['median_ms']:.1f} ms (max {search['max_ms']:.0f})",
            "< 100 ms",
            _met(search["median_ms"] < 100),
        )
        yield (
            f"6. export, {export['records']:,} records",
            f"{export['wall_s']:.1f} s, peak {export['peak_rss_mb']:.0f} MB "
            f"({small['peak_rss_mb']:.0f} MB at {small['records']:,})",
            "constant memory",
            _met(export["peak_rss_ratio_to_small"] < 1.2),
        )
    if "revisit" in r:
        yield from _revisit_rows(r["revisit"], pages)
    if "cluster" in r:
        yield from _cluster_rows(r["cluster"])
    if "discovery" in r:
        yield from _discovery_rows(r)
    if "fallbacks" in r:
        yield from _fallback_rows(r["fallbacks"])


def _fallback_rows(fallbacks: dict[str, Any]) -> Iterator[Row]:
    cost, quality = fallbacks["cost"], fallbacks["quality"]
    yield (
        "9. parse a page: rules / fallbacks",
        f"{cost['rules_ms']:.2f} / {cost['fallbacks_ms']:.2f} ms CPU "
        f"= {cost['fallbacks_ratio']:.1f} x "
        f"({cost['fallbacks_real_pages_ms']:.0f} ms on real pages)",
        "in the worker only",
        "",
    )
    if "written_date_us" in cost:
        yield (
            "9. readers: written date / date line / byline / language",
            f"{cost['written_date_us']:.0f} / {cost['date_line_us']:.0f} / "
            f"{cost['byline_us']:.0f} us, {cost['language_detect_ms']:.1f} ms CPU",
            "in the worker only",
            "",
        )
    yield (
        f"9. body F1, {quality['pages']} real pages",
        f"generic {quality['f1_mean']:.3f}, plain trafilatura {quality['f1_trafilatura_mean']:.3f}",
        "~0.95, >= trafilatura",
        _met(quality["f1_mean"] >= 0.93 and quality["f1_mean"] >= quality["f1_trafilatura_mean"]),
    )


def _revisit_rows(revisit: dict[str, Any], pages: int) -> Iterator[Row]:
    name = f"11. re-crawl, unchanged {pages:,}-page site"
    yield (
        f"{name}: answered 304",
        f"{revisit['answered_304']:,} of {revisit['unchanged_pages']:,} unchanged pages "
        f"= {revisit['share_304']:.1%} ({revisit['requests']:,} requests)",
        ">= 90%",
        _met(revisit["share_304"] >= 0.9),
    )
    yield (
        f"{name}: bytes stored",
        f"{revisit['bytes_added_by_recrawl']:,} B added ({revisit['bytes_per_304']:.0f} B a 304), "
        f"{revisit['payload_bytes_added_by_recrawl']:,} B of bodies",
        "rows, not pages",
        _met(revisit["payload_bytes_added_by_recrawl"] == 0),
    )
    yield (
        f"{name}: time",
        f"{revisit['recrawl']['wall_s']:.1f} s = {revisit['wall_ratio_to_first']:.2f} of first "
        f"({revisit['first']['wall_s']:.1f} s)",
        "",
        "",
    )
    yield (
        "11. archive growth",
        f"{revisit['bytes_per_capture']:.0f} B a new capture "
        f"({revisit['payload_bytes_per_capture']:.0f} B of body), "
        f"{revisit['bytes_per_revisit_row']:.0f} B a revisit row, "
        f"{revisit['bytes_per_304']:.0f} B a 304",
        "",
        "",
    )


def _cpu_row(name: str, crawl: dict[str, Any]) -> Row:
    by_role = crawl["cpu_ms_per_page_by_role"]
    parts = " / ".join(f"{role} {ms:.2f}" for role, ms in sorted(by_role.items()))
    return (f"2. CPU a page, {name}", f"{parts} ms", "", "")


def _crawl_row(name: str, crawl: dict[str, Any], target: float) -> Row:
    return (
        name,
        f"{crawl['pages_per_s']:.0f} pages/s = {crawl['ratio_to_ceiling']:.2f} of ceiling",
        f">= {target:.2f}",
        _met(crawl["ratio_to_ceiling"] >= target),
    )


def _discovery_rows(r: dict[str, Any]) -> Iterator[Row]:
    found, memory = r["discovery"], r["sitemap_memory"]
    yield (
        f"8. discovery, {found['new_pages']} new among {found['listed']:,} listed",
        f"{found['discovery_new']} found, {found['requests']} requests "
        f"(bound {found['requests_bound']}), {found['wall_s']:.1f} s "
        f"= {found['wall_ratio_to_first']:.3f} of first, peak {found['peak_rss_mb']:.0f} MB",
        "all new found, <= bound",
        _met(
            found["discovery_new"] >= found["new_pages"]
            and found["requests"] <= found["requests_bound"]
        ),
    )
    small, large = memory["small"], memory["large"]
    yield (
        f"8. reading a sitemap, {large['urls']:,} URLs",
        f"+{large['growth_mb']:.1f} MB (+{small['growth_mb']:.1f} MB at {small['urls']:,} URLs, "
        f"bodies {large['body_mb']:.1f} / {small['body_mb']:.1f} MB), {large['seconds']:.1f} s",
        # A tree of the whole sitemap takes ~180 MB at 200,000 URLs; its gzip body, 0.4 MB more.
        "flat: < 2 MB more",
        _met(memory["growth_difference_mb"] < 2),
    )


def _cluster_rows(cluster: dict[str, Any]) -> Iterator[Row]:
    ratio = cluster["ratio_two_to_one"]
    one, two = cluster["one_worker"], cluster["two_workers"]
    yield (
        "7. two cluster workers against one",
        f"{two['pages_per_s']:.0f} / {one['pages_per_s']:.0f} pages/s = {ratio:.2f} x",
        ">= 1.6",
        _met(ratio >= 1.6),
    )
    yield (
        "7. what Redis adds",
        f"{cluster['redis_extra_cpu_ms_per_page']:+.2f} ms CPU a page in the worker, "
        f"{cluster['redis_server_cpu_ms_per_page']:.2f} in Redis",
        "",
        "",
    )


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"
