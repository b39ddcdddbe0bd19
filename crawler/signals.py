"""Signals of this project (Scrapy's own are in scrapy.signals).

``fetch_failed`` is sent with ``failure`` (a FetchFailure) for an article page
that could not be archived as fetched. It is a signal, not an item, because a
failure is no record for feeds or item pipelines, and because on a site where
a third of the linked ids are missing, an item each would cost the crawl a
noticeable share of its speed.

``record_archived`` is sent with ``item`` (an Article, with its version) when
a page's batch is stored and the page became or confirmed a version. The
archive pipeline hands pages over without waiting for their commit
(crawler.pipelines), so the records as stored come back by this signal; feed
exports (`-O items.jsonl`) write them (crawler.export.feed.ArchivedRecordFeeds).
"""

fetch_failed = object()
record_archived = object()
