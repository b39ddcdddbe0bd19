"""A second local site, in another layout: the Harbour Courier.

Where the first site prints a PHP var_dump, this one is a JavaScript
application's server-rendered page: the story, its related stories and all,
is embedded as application JSON (``<script id="__NEXT_DATA__">``); dates are
in JSON-LD with their offsets, in Sydney's time zone; article ids are slugs
(``/stories/harbour-council-approves-ferry-plan-3f2a``). A crawl of it needs
nothing but its profile file (tests/fixtures/profiles/harbour_courier.toml),
written from the README's description of the format.

`StorySite` knows the whole truth of every page, so a test compares an
archive with it field by field.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from localcopy.site import Reply

ZONE = ZoneInfo("Australia/Sydney")
_WORDS = (
    "harbour",
    "council",
    "ferry",
    "plan",
    "residents",
    "mayor",
    "budget",
    "bridge",
    "storm",
    "beach",
    "festival",
    "school",
    "hospital",
    "rail",
    "housing",
    "market",
    "river",
    "club",
    "night",
    "water",
)
_AUTHORS = ("Mia Nguyen", "Oliver Brennan", "Priya Raman", "Tom Whitfield", "Zoë Kaur")
_FIRST = datetime(2024, 3, 30, 22, 0, tzinfo=UTC)  # across the end of daylight saving


@dataclass
class Story:
    slug: str
    headline: str
    published: datetime
    """In Sydney's time, with its offset."""
    authors: list[str]
    paragraphs: list[str]
    related: list[str] = field(default_factory=list)


@dataclass
class StorySite:
    pages: int = 30
    seed: int = 11
    stories: dict[str, Story] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        slugs = []
        for n in range(self.pages):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(3, 6))]
            slug = "-".join([*words, f"{rng.getrandbits(16):04x}"])
            headline = " ".join(words).capitalize() + f" ({n})"
            published = (_FIRST + timedelta(minutes=37 * n)).astimezone(ZONE)
            paragraphs = [
                " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."
                for _ in range(rng.randint(2, 5))
            ]
            authors = rng.sample(_AUTHORS, rng.randint(1, 2))
            self.stories[slug] = Story(slug, headline, published, authors, paragraphs)
            slugs.append(slug)
        # Each story links to the next (so one seed reaches all) and to a few others.
        for index, slug in enumerate(slugs):
            others = rng.sample(slugs, 3)
            following = [slugs[(index + 1) % len(slugs)]]
            links = [s for s in following + others if s != slug]
            self.stories[slug].related = list(dict.fromkeys(links))

    @property
    def first(self) -> str:
        return next(iter(self.stories))

    def reply(self, slug: str) -> Reply:
        story = self.stories.get(slug)
        if story is None:
            return Reply(404, b"<html><body><h1>Story not found</h1></body></html>")
        return Reply(200, self.render(story).encode(), {"Content-Type": "text/html; charset=utf-8"})

    def latest(self) -> Reply:
        newest = sorted(self.stories.values(), key=lambda s: s.published, reverse=True)[:10]
        items = "".join(
            f'<li><a href="/stories/{s.slug}">{html.escape(s.headline)}</a></li>' for s in newest
        )
        body = f"<html><body><ul class='latest'>{items}</ul></body></html>"
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def render(self, story: Story) -> str:
        data = {
            "props": {
                "pageProps": {
                    "story": {
                        "storyId": story.slug,
                        "headline": story.headline,
                        "related": [
                            {"storyId": slug, "headline": self.stories[slug].headline}
                            for slug in story.related
                        ],
                    }
                }
            },
            "page": "/stories/[slug]",
        }
        json_ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.headline,
            "datePublished": story.published.isoformat(),
            "author": [{"@type": "Person", "name": name} for name in story.authors],
        }
        byline = ", ".join(
            f'<a href="/authors/{name.split()[0].lower()}">{html.escape(name)}</a>'
            for name in story.authors
        )
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
        return _PAGE.format(
            headline=html.escape(story.headline),
            json_ld=json.dumps(json_ld, ensure_ascii=False),
            byline=byline,
            when=story.published.strftime("%-d %B %Y"),
            paragraphs=paragraphs,
            next_data=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
        )


_PAGE = """<!DOCTYPE html>
<html lang="en-AU">
<head>
<meta charset="utf-8">
<title>{headline} | The Harbour Courier</title>
<meta property="og:site_name" content="The Harbour Courier">
<script type="application/ld+json">{json_ld}</script>
</head>
<body>
<div id="__next">
  <header><a href="/">The Harbour Courier</a> <nav><a href="/latest">Latest</a></nav></header>
  <main>
    <h1 class="story-headline">{headline}</h1>
    <div class="story-meta"><span class="byline">By {byline}</span>
      <span class="dateline">{when}</span></div>
    <article class="story-body">
{paragraphs}
      <aside class="ad-slot"><p>Advertisement</p></aside>
    </article>
  </main>
  <footer>© The Harbour Courier</footer>
</div>
<script id="__NEXT_DATA__" type="application/json">{next_data}</script>
</body>
</html>
"""
