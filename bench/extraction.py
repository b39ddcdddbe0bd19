"""The fallbacks measured: body quality on real pages, and what each costs a page.

    python -m bench.extraction            # both tables, on tests/fixtures/real_pages

Quality is the F1 of word 4-grams between a body and the hand-checked text
(characters stand for words in scripts written without spaces), for the
`generic` profile (every field from the fallbacks) and for plain trafilatura
(its defaults) on the same pages. Cost is CPU time a page, parsing the local
copy's pages with their profile (rules only) and with `generic` (every
fallback), in this process. Fields: on the same pages, whether the `generic`
profile's title and day of publication are the hand-checked ones, beside
trafilatura's metadata (`extract_metadata`) and htmldate (`find_date`), with
the authors each names (the pages' `expected.json` hold no authors to check).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
REAL_PAGES = ROOT / "tests" / "fixtures" / "real_pages"
# Thai, kana and CJK ideographs are written without spaces: a character is a word.
_TOKEN = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")


def word_ngrams(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _TOKEN.findall(text.lower())
    return Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))


def ngram_f1(found: str, expected: str, n: int = 4) -> float:
    got, want = word_ngrams(found, n), word_ngrams(expected, n)
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class RealPage:
    name: str
    html: str
    expected_text: str
    expected: dict[str, Any]


def real_pages() -> list[RealPage]:
    from crawler.cli.profiles import read_page

    return [
        RealPage(
            folder.name,
            read_page(folder / "page.html.gz"),
            (folder / "expected.txt").read_text(encoding="utf-8"),
            json.loads((folder / "expected.json").read_text(encoding="utf-8")),
        )
        for folder in sorted(p for p in REAL_PAGES.iterdir() if p.is_dir())
    ]


def quality(pages: list[RealPage]) -> list[dict[str, Any]]:
    """Per page: the generic profile's title and body F1, and plain trafilatura's body F1."""
    import trafilatura

    from crawler.parsing.article import parse_article
    from crawler.sites import get_profile

    generic = get_profile("generic")
    rows = []
    for page in pages:
        url = page.expected["url"]
        article = parse_article(page.html, url, generic).article
        plain = trafilatura.extract(page.html, url=url) or ""
        rows.append(
            {
                "page": page.name,
                "title_found": bool(article and article.title),
                "title_exact": bool(article and article.title == page.expected["title"]),
                "f1": round(ngram_f1(article.body if article else "", page.expected_text), 3),
                "f1_trafilatura": round(ngram_f1(plain, page.expected_text), 3),
            }
        )
    return rows


def fields(pages: list[RealPage]) -> list[dict[str, Any]]:
    """Per page: title and day right, for the generic profile, trafilatura and htmldate."""
    import htmldate
    import trafilatura

    from crawler.parsing.article import parse_article
    from crawler.sites import get_profile

    generic = get_profile("generic")
    rows = []
    for page in pages:
        url, want = page.expected["url"], page.expected
        article = parse_article(page.html, url, generic).article
        meta = trafilatura.extract_metadata(page.html, default_url=url)
        # The day in the publisher's terms: the local time's date where the page gives one.
        ours = article and (article.published_local or article.published_at)
        rows.append(
            {
                "page": page.name,
                "title": bool(article) and _same(article.title, want["title"]),
                "title_trafilatura": meta is not None and _same(meta.title, want["title"]),
                "date": (str(ours)[:10] if ours else None) == want["published_date"],
                "date_trafilatura": (meta.date if meta else None) == want["published_date"],
                "date_htmldate": htmldate.find_date(page.html, url=url, original_date=True)
                == want["published_date"],
                "authors": article.authors if article else [],
                "authors_trafilatura": meta.author if meta else None,
            }
        )
    return rows


def _same(found: str | None, expected: str) -> bool:
    return " ".join((found or "").split()) == " ".join(expected.split())


def cost(real_pages: list[RealPage], pages: int = 200) -> dict[str, float]:
    """CPU milliseconds a page: the rules alone (alalam_en), every fallback (generic), on
    `pages` of the local copy, and every fallback on the real pages."""
    from crawler.parsing.article import parse_article
    from crawler.sites import get_profile
    from localcopy.site import LocalSite

    site = LocalSite(pages=pages, orphans=0)
    htmls = [(site.render(i).decode(), f"https://en.alalam.ir/news/{i}") for i in site.served()]
    real = [(page.html, page.expected["url"]) for page in real_pages]
    result = {"pages": len(htmls), "real_pages": len(real)}
    for label, profile, corpus in (
        ("rules_ms", get_profile("alalam_en"), htmls),
        ("fallbacks_ms", get_profile("generic"), htmls),
        ("fallbacks_real_pages_ms", get_profile("generic"), real),
    ):
        parse_article(*corpus[0], profile)  # imports and caches out of the timing
        started = time.process_time()
        for html, url in corpus:
            parse_article(html, url, profile)
        result[label] = round(1000 * (time.process_time() - started) / len(corpus), 2)
    result["fallbacks_ratio"] = round(result["fallbacks_ms"] / result["rules_ms"], 1)
    result |= reader_cost([page.expected_text for page in real_pages])
    return result


# What the readers of dates, bylines and languages get, as pages in those languages write them.
_WRITTEN_DATES = (
    ("سه‌شنبه ۲۶ مرداد ۱۳۹۵ - ۱۷:۵۲", "%A %d %B %Y - %H:%M", "fa", "persian"),
    ("الثلاثاء ١٦ آب ٢٠١٦ ٠٥:٥٢ م", "%A %d %B %Y %I:%M %p", "ar", "gregorian"),
    ("١٣ ذو القعدة ١٤٣٧", "%d %B %Y", "ar", "islamic"),
)
_DATE_LINES = (
    ("Veröffentlicht am 16. August 2016, 17:52 Uhr", "de"),
    ("١٦ كانون الأول ٢٠١٦", "ar"),
)
_BYLINES = (
    ("By Samya Kullab and Vasilisa Stepanenko, AP", "en"),
    ("بقلم سارة خليل و ليلى سعيد، بيروت أخبار", "ar"),
)


def reader_cost(texts: list[str], repeat: int = 200) -> dict[str, float]:
    """CPU microseconds a reading of the date and author readers; milliseconds a language
    detection of a real page's text (each after a first call, which loads names and model)."""
    from zoneinfo import ZoneInfo

    from crawler.parsing.authors import people
    from crawler.parsing.dates import read_local_date
    from crawler.parsing.language import detect_language
    from crawler.parsing.written_dates import search_written_day

    zone = ZoneInfo("Asia/Tehran")

    def timed(calls: list[Callable[[], object]], scale: float, times: int) -> float:
        for call in calls:
            call()
        started = time.process_time()
        for _ in range(times):
            for call in calls:
                call()
        return round(scale * (time.process_time() - started) / (times * len(calls)), 1)

    dates = [
        lambda t=t, f=f, c=c, k=k: read_local_date(t, (f,), zone, date_locale=c, calendar=k)
        for t, f, c, k in _WRITTEN_DATES
    ]
    lines = [lambda t=t, c=c: search_written_day(t, c) for t, c in _DATE_LINES]
    bylines = [lambda t=t, c=c: people([t], c, ["AP"]) for t, c in _BYLINES]
    detect = [lambda t=t: detect_language("", t) for t in texts]
    return {
        "written_date_us": timed(dates, 1e6, repeat),
        "date_line_us": timed(lines, 1e6, repeat),
        "byline_us": timed(bylines, 1e6, repeat),
        "language_detect_ms": timed(detect, 1e3, 3),
    }


def main() -> int:
    pages = real_pages()
    rows = quality(pages)
    print(f"{'page':26} {'title':6} {'F1 generic':>10} {'F1 trafilatura':>15}")
    for row in rows:
        title = "exact" if row["title_exact"] else "found" if row["title_found"] else "NONE"
        print(f"{row['page']:26} {title:6} {row['f1']:>10.3f} {row['f1_trafilatura']:>15.3f}")
    mean = statistics.mean(r["f1"] for r in rows)
    plain = statistics.mean(r["f1_trafilatura"] for r in rows)
    print(f"{'mean':26} {'':6} {mean:>10.3f} {plain:>15.3f}")
    print()
    print(f"{'page':26} {'title':>5} {'traf.':>5} {'date':>5} {'traf.':>5} {'htmld.':>6}  authors")
    read = fields(pages)
    for row in read:
        marks = [
            "yes" if row[key] else "no"
            for key in ("title", "title_trafilatura", "date", "date_trafilatura", "date_htmldate")
        ]
        print(
            f"{row['page']:26} {marks[0]:>5} {marks[1]:>5} {marks[2]:>5} {marks[3]:>5} "
            f"{marks[4]:>6}  {'; '.join(row['authors']) or '-'} "
            f"(trafilatura: {row['authors_trafilatura'] or '-'})"
        )
    totals = [sum(bool(r[k]) for r in read) for k in ("title", "title_trafilatura")]
    days = [sum(bool(r[k]) for r in read) for k in ("date", "date_trafilatura", "date_htmldate")]
    print(
        f"{'right of ' + str(len(read)):26} {totals[0]:>5} {totals[1]:>5} {days[0]:>5} "
        f"{days[1]:>5} {days[2]:>6}"
    )
    print(json.dumps(cost(pages), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
