"""Signals of this project (Scrapy's own are in scrapy.signals).

``fetch_failed`` is sent with ``failure`` (a FetchFailure) for an article page
that could not be archived as fetched. It is a signal, not an item, because a
failure is no record for feeds or item pipelines, and because on a site where
a third of the linked ids are missing, an item each would cost the crawl a
noticeable share of its speed.
"""

fetch_failed = object()
