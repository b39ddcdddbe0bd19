"""Finding new articles where news sites announce them: feeds, sitemaps, listing pages.

Each reader is a pure function from a source's bytes, its URL and the site
profile to entries (an article id, with what the source says of it) and a
`SourceReport` of what it counted and noticed. They are tested without a
crawl; the spider fetches the sources and wires them up.

- `articles.py`: a listed URL to an article id, through the profile only.
- `feeds.py`: RSS 0.9x/1.0/2.0 and Atom (feedparser), as broken as they come.
- `sitemaps.py`: sitemaps, sitemap indexes and news sitemaps, streamed.
- `robots.py`: the ``Sitemap:`` lines of robots.txt.
- `listings.py`: HTML pages that link to the newest articles.
- `window.py`: which entries are too old to matter (``-a since=``).
- `report.py`: what each source gave, for the run's record.
"""
