"""The local copy's pages: a deterministic graph of articles around the seed.

`LocalSite` knows which ids it serves, what each links to, and which linked
ids it lacks, so a test can compare an archive with the whole truth. Pages
are rendered on request, so a copy of 100,000 pages costs only its graph.
"""

from __future__ import annotations

import html
import json
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crawler.parsing.related import extract_related
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import Callable

SEED_ID = "1851093"
SEED_PAGE = (
    Path(__file__).resolve().parent.parent
    / "crawler"
    / "sites"
    / "fixtures"
    / "alalam_en"
    / "1851093.html"
)

_PROFILE = get_profile("alalam_en")
_ZONE = ZoneInfo(_PROFILE.time_zone)
_SEED_TIME = datetime(2016, 8, 16, 17, 52, 15)
# Ids grow with time. Pages take ids about 20 apart, so a copy of 150,000 pages
# spans 3 million ids: at a minute an id, about six years, none in the future.
_SECONDS_PER_ID = 60
_TICKS_AT_UNIX_EPOCH = 621355968000000000  # .NET ticks, as the site's media names use

_WORDS = (
    "Iran",
    "Russia",
    "Syria",
    "officials",
    "cooperation",
    "security",
    "council",
    "minister",
    "talks",
    "regional",
    "government",
    "statement",
    "Tuesday",
    "capital",
    "province",
    "forces",
    "support",
    "agreement",
    "visit",
    "economic",
    "trade",
    "energy",
    "relations",
    "international",
    "meeting",
    "foreign",
    "ministry",
    "said",
    "according",
    "report",
    "agency",
    "press",
    "conference",
    "president",
    "parliament",
    "delegation",
)


def var_dump(text: str) -> str:
    """`text` as PHP's var_dump prints a string, which the site leaves in its pages."""
    return f'string({len(text.encode())}) "{text}"'


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (a slow server)."""
    reset: bool = False
    """Drop the connection instead of answering."""


@dataclass
class LocalSite:
    pages: int = 250
    """How many article pages to serve (the seed and its related ids included)."""
    orphans: int = 2
    """Pages served but linked from nowhere: a crawl must not find them."""
    seed: int = 7
    listing_size: int = 50
    """How many of the newest ids the listing page (``/news``), the feed and the news
    sitemap list."""
    sitemap_size: int = 50_000
    """URLs a sitemap of the whole archive lists (the protocol's limit); 0: no such sitemaps."""
    delay: float = 0.0
    """Seconds each article reply waits: a slow server, for tests that stop a crawl midway."""
    blocked: Reply | None = None
    """The reply to every request, when set: a site that blocks the crawler (403 to all)."""
    validators: bool = False
    """Answer article pages with ``ETag`` and ``Last-Modified``, and a conditional request
    for a page unchanged since with ``304 Not Modified`` (crawler revisits ask so)."""
    gzip: bool = False
    """Send article pages gzip-compressed (``Content-Encoding: gzip``) to a client that
    accepts it, as most servers do."""
    notice: bool = False
    """Answer every article with an outage notice (status 200, the layout intact), as a
    site does on a bad day: ``This page is temporarily unavailable.``"""

    related: dict[str, list[str]] = field(init=False, default_factory=dict)
    """Every served id and the ids its page lists, in order."""
    overrides: dict[str, Reply | list[Reply]] = field(init=False, default_factory=dict)
    """Replies that replace a generated page (tests edit, break or remove pages here).

    A list is answered in turn, its last reply for ever after: a page that
    fails twice and then recovers.
    """
    sources: dict[str, Reply] = field(init=False, default_factory=dict)
    """Replies that replace a discovery source (the listing too), by path (``/rss.xml``):
    tests break them here."""
    rewrite: Callable[[str], str] | None = field(init=False, default=None)
    """A change applied to every generated page, as a redesign of the site would."""
    published: dict[str, datetime] = field(init=False, default_factory=dict)
    """Publication times of pages added with `publish`, in UTC."""
    requests: list[tuple[float, str]] = field(init=False, default_factory=list)
    """(monotonic time, article id) of every article request, for tests of pacing."""
    agents: Counter[str] = field(init=False, default_factory=Counter)
    """Article requests by User-Agent: which of several crawlers fetched what."""
    served_to: Counter[str] = field(init=False, default_factory=Counter)
    """Article requests by User-Agent of ids the site serves (no 404s): who archived some."""
    held_agents: set[str] = field(init=False, default_factory=set)
    """User-Agents whose article requests wait (counted, not yet answered) while they are
    here: a test holds one crawler still until another has done what it must."""
    source_requests: Counter[str] = field(init=False, default_factory=Counter)
    """Requests for each discovery source (robots.txt too), by path."""

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        seed_html = SEED_PAGE.read_text(encoding="utf-8")
        seed_links = extract_related(seed_html, _PROFILE).links
        self._seed_html = seed_html.encode()
        self._titles = {link.article_id: link.title or "" for link in seed_links}
        self.related[SEED_ID] = [link.article_id for link in seed_links]
        used = {SEED_ID, *self.related[SEED_ID]}
        next_id = 1_700_000

        def allocate() -> str:
            nonlocal next_id
            next_id += rng.randint(1, 40)
            while str(next_id) in used:
                next_id += 1
            used.add(str(next_id))
            return str(next_id)

        served = [SEED_ID, *self.related[SEED_ID]]
        frontier = deque(self.related[SEED_ID])
        while frontier:
            article_id = frontier.popleft()
            links: list[str] = []
            for _ in range(rng.randint(6, 12)):
                roll = rng.random()
                if roll < 0.05:
                    target = allocate()  # linked, never served: a 404
                elif roll < 0.65 and len(served) < self.pages:
                    target = allocate()
                    served.append(target)
                    frontier.append(target)
                else:
                    target = rng.choice(served)
                if target != article_id and target not in links:
                    links.append(target)
            self.related[article_id] = links
        for _ in range(self.orphans):
            self.related[allocate()] = rng.sample(served, min(5, len(served)))

    # -- the truth, for tests ------------------------------------------------------

    def reachable(self, start: str = SEED_ID) -> set[str]:
        """Ids a complete crawl from `start` fetches: served and linked, transitively."""
        seen, queue = {start}, deque([start])
        while queue:
            for target in self.related.get(queue.popleft(), []):
                if target not in seen and self.serves(target):
                    seen.add(target)
                    queue.append(target)
        return seen

    def missing(self, start: str = SEED_ID) -> set[str]:
        """Ids that reachable pages link to but the site does not serve."""
        return {t for a in self.reachable(start) for t in self.related[a] if not self.serves(t)}

    def serves(self, article_id: str) -> bool:
        if article_id in self.overrides:
            override = self.overrides[article_id]
            return (override[-1] if isinstance(override, list) else override).status == 200
        return article_id in self.related

    # -- changing the site, as time does -----------------------------------------------

    def publish(self, count: int, at: datetime | None = None) -> list[str]:
        """Add `count` new articles above the newest id, published `at` (default: now).

        Each links to a few older articles and to the one published before it,
        so a crawl from the listing page reaches them all.
        """
        rng = random.Random(self.seed * 1_000_003 + len(self.related))
        older = [i for i in self.related if self.serves(i)]
        newest = max(int(i) for i in self.related)
        when = at or datetime.now(UTC)
        added: list[str] = []
        for n in range(count):
            article_id = str(newest + 7 * (n + 1))
            links = rng.sample(older, min(4, len(older))) + added[-1:]
            self.related[article_id] = links
            self.published[article_id] = when
            added.append(article_id)
        return added

    def replace_page(self, article_id: str, html: str) -> None:
        self.overrides[article_id] = Reply(
            200, html.encode(), {"Content-Type": "text/html; charset=utf-8"}
        )

    def retitle(self, article_id: str, title: str) -> None:
        """Give a page another title, on the page and in every related list naming it."""
        self._titles[article_id] = title

    def remove_page(self, article_id: str) -> None:
        self.overrides[article_id] = Reply(404, b"<html><body>Not found</body></html>")

    def break_page(self, article_id: str, status: int = 500) -> None:
        self.overrides[article_id] = Reply(status, b"<html><body>Server error</body></html>")

    def page_reply(self, article_id: str) -> Reply:
        """The page as generated, whatever overrides say: a base for a variant of it."""
        return Reply(200, self.render(article_id), {"Content-Type": "text/html; charset=utf-8"})

    def restore_page(self, article_id: str) -> None:
        self.overrides.pop(article_id, None)

    # -- replies ---------------------------------------------------------------------

    def served(self) -> list[str]:
        """Every id the site serves, oldest first."""
        return sorted((i for i in self.related if self.serves(i)), key=int)

    def newest(self) -> list[str]:
        """The newest ids, newest first: what the listing, the feed and the news sitemap list."""
        return self.served()[::-1][: self.listing_size]

    def listing(self) -> Reply:
        """The listing page: links to the newest served ids, newest first."""
        links = "\n".join(
            f'    <li><a href="/news/{i}">{html.escape(self.title(i))}</a></li>'
            for i in self.newest()
        )
        body = _LISTING.format(links=links)
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def reply(self, article_id: str) -> Reply:
        if self.notice and self.serves(article_id):
            return Reply(200, NOTICE_PAGE.encode(), {"Content-Type": "text/html; charset=utf-8"})
        if article_id in self.overrides:
            override = self.overrides[article_id]
            if isinstance(override, list):
                return override.pop(0) if len(override) > 1 else override[0]
            return override
        if article_id not in self.related:
            return Reply(404, b"<html><body><h1>Not found</h1></body></html>")
        if article_id == SEED_ID:
            return Reply(200, self._seed_html, {"Content-Type": "text/html; charset=utf-8"})
        page = self.render(article_id)
        if self.rewrite is not None:
            page = self.rewrite(page.decode()).encode()
        return Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})

    def render(self, article_id: str) -> bytes:
        rng = random.Random(int(article_id))
        title = self.title(article_id)
        written = self.local_time(article_id)
        paragraphs = [_sentence(rng, 2) for _ in range(rng.randint(3, 8))]
        body = [f"      <p>{html.escape(p)}</p>" for p in paragraphs]
        if rng.random() < 0.4:
            body.insert(2, f"      <p><strong>{html.escape(_sentence(rng, 1)[:-1])}</strong></p>")
        if rng.random() < 0.5:
            body.insert(
                1,
                '      <div class="news-image">\n'
                f'        <img src="{_media_path(article_id, written, ".jpg")}" alt="">\n'
                f'        <p class="caption">{html.escape(_sentence(rng, 1))}</p>\n'
                "      </div>",
            )
        editor = rng.choice(["SH", "MR", "HA", "AK"])
        desk = f"{rng.choice('ABDFHKMNRS')}/{editor} {rng.randint(1, 99)}"
        body.append(f'      <p class="code">{desk}</p>')
        return _PAGE.format(
            title=html.escape(title),
            date=written.strftime("%a %b %d, %Y %H:%M:%S"),
            body="\n".join(body),
            dump=self.dump(article_id),
        ).encode()

    def dump(self, article_id: str) -> str:
        """The related list as the site prints it: a PHP var_dump of the JSON."""
        entries = []
        for n, target in enumerate(self.related[article_id]):
            title = self.title(target)
            suffix = ".mp4" if title.startswith("VIDEO:") else ".jpg"
            entry = {
                "id": target,
                "sort": str(3_605_769 - n),
                "contenttypeid": "21",
                "pic": _media_path(target, self.local_time(target), suffix),
                "title": title,
            }
            entries.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        payload = "[" + " ,".join(entries) + " ]"
        return var_dump(payload)

    def title(self, article_id: str) -> str:
        if article_id in self._titles:
            return self._titles[article_id]
        rng = random.Random(int(article_id) * 31)
        roll = rng.random()
        prefix = "PICS: " if roll < 0.08 else "VIDEO: " if roll < 0.13 else ""
        words = " ".join(rng.choice(_WORDS).capitalize() for _ in range(rng.randint(5, 9)))
        return f"{prefix}{words} ({article_id})"

    def local_time(self, article_id: str) -> datetime:
        """Wall-clock time in Tehran, growing with the id, as the site writes it."""
        if article_id in self.published:
            return self.published[article_id].astimezone(_ZONE)
        naive = _SEED_TIME + timedelta(seconds=(int(article_id) - int(SEED_ID)) * _SECONDS_PER_ID)
        return naive.replace(tzinfo=_ZONE)


def _sentence(rng: random.Random, count: int) -> str:
    sentences = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def _media_path(article_id: str, when: datetime, suffix: str) -> str:
    ticks = _TICKS_AT_UNIX_EPOCH + int(when.timestamp()) * 10_000_000 + int(article_id) % 10_000_000
    return f"/{when:%Y/%m/%d}/alalam_{ticks}_25f_4x3{suffix}"


_PAGE = """<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="/css/main.css">
</head>
<body>
  <div id="header">
    <a class="logo" href="/">Alalam News Network</a>
    <ul class="menu"><li><a href="/news">News</a></li><li><a href="/news/iran">Iran</a></li></ul>
  </div>
  <div class="breadcrumb"><a href="/">Home</a> &gt; <span>{title}</span></div>
  <div class="news-detail">
    <h1 class="news-title">{title}</h1>
    <div class="news-date">{date}</div>
    <div class="news-text">
{body}
    </div>
  </div>
{dump}
  <div id="footer">All rights reserved.</div>
</body>
</html>
"""

NOTICE = "This page is temporarily unavailable."
NOTICE_PAGE = f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>Alalam</title>
  <link rel="stylesheet" href="/css/main.css">
</head>
<body>
  <div id="header">
    <a class="logo" href="/">Alalam News Network</a>
    <ul class="menu"><li><a href="/news">News</a></li><li><a href="/news/iran">Iran</a></li></ul>
  </div>
  <div class="notice"><p>{NOTICE}</p></div>
  <div id="footer">All rights reserved.</div>
</body>
</html>
"""

_LISTING = """<!DOCTYPE html>
<html lang="en"><body>
  <ul class="latest">
{links}
  </ul>
</body></html>
"""
