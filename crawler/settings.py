"""Scrapy settings for the news archive crawler.

Every knob is a setting, overridable with `-s NAME=VALUE`. The defaults are
polite to the live site; crawling a local copy, turn the throttling off
(see the README).
"""

BOT_NAME = "news-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# -- politeness (the live site) ------------------------------------------------
USER_AGENT = "news-archive/0.1 (research archive of public news pages; obeys robots.txt)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# -- bad pages and failing servers -------------------------------------------------
# An article page is tens of kilobytes; one of 10 MB is not an article.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
# robots.txt is read to this size and obeyed as read (Google's bound); a larger
# one is not ignored (crawler.middlewares.robots_bound).
ARCHIVE_ROBOTSTXT_MAXSIZE = 500 * 1024
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    # Before OffsiteMiddleware (50) and robots.txt (100): an article request off
    # base_url's origin is refused with a recorded reason, never fetched.
    "crawler.middlewares.article_origin.ArticleOriginMiddleware": 40,
    # After HttpCompressionMiddleware (590) in the request path, so its response is
    # seen first: robots.txt is read to ARCHIVE_ROBOTSTXT_MAXSIZE, not ignored.
    "crawler.middlewares.robots_bound.RobotsTxtBoundMiddleware": 595,
    # After RobotsTxtMiddleware (100): discovery reads the robots.txt it fetched.
    "crawler.middlewares.robots.SharedRobotsTxtMiddleware": 110,
    # After robots.txt: with -a max_articles=N, a fetch that may give a new article
    # waits while the articles still undecided could make the N (crawler.plan.article_admission).
    "crawler.middlewares.max_articles.ArticleLimitMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.charset.CharsetMiddleware": 560,
    # Before RedirectMiddleware (600) sees the response: a redirect off the host is refused.
    "crawler.middlewares.redirects.OffsiteRedirectMiddleware": 610,
    # After every middleware that adds request headers, and before HttpCompressionMiddleware
    # (590) decodes a response: each article fetch recorded as it went over the wire.
    "crawler.middlewares.capture.CaptureMiddleware": 800,
    # Before the capture is recorded: the request as sent carries the validators.
    "crawler.middlewares.validators.ValidatorsMiddleware": 790,
}
# Retries wait ARCHIVE_RETRY_BACKOFF seconds, doubled each attempt (with jitter),
# or what a 429/503 Retry-After asks, up to ARCHIVE_RETRY_BACKOFF_MAX; a longer
# Retry-After leaves the page to the next run.
ARCHIVE_RETRY_BACKOFF = 1.0
ARCHIVE_RETRY_BACKOFF_MAX = 60.0
# A site's robots.txt Crawl-delay is waited between its pages, up to this many
# seconds (crawler.plan.crawl_delay); a site asking for more is waited this long,
# and named in a warning and the run's summary.
ARCHIVE_CRAWL_DELAY_MAX = 30.0
# How long a batch write waits out a database that is away (restarting, locked)
# before the run fails.
ARCHIVE_DB_RETRY_SECONDS = 120

# -- throughput ----------------------------------------------------------------
# Each page yields one item and a dozen requests; Scrapy's default of 100
# parallel outputs per response costs about a third of the CPU per page.
CONCURRENT_ITEMS = 4

# The frontier (requests waiting to be fetched) waits on disk, not in memory
# (crawler.plan.disk_queue): tens of thousands of requests wait at once on a large crawl.
SCHEDULER_MEMORY_QUEUE = "crawler.plan.disk_queue.DiskFrontierQueue"

# Python's garbage collector, tuned for a crawl (crawler.extensions.gc_tuning):
# start-up objects frozen out of its reach (measured: a tenth of the crawl
# process's CPU). ARCHIVE_GC_THRESHOLD, e.g. 50000,10,10, collects less often:
# no faster once frozen, and it held 30 MB more on a 100,000-page crawl.
ARCHIVE_GC_FREEZE = True
ARCHIVE_GC_THRESHOLD: list[int] = []

# -- sites -----------------------------------------------------------------------
# A directory of site profiles (NAME.toml), looked in before the built-in ones
# (unset: the ARCHIVE_SITES_DIR environment variable, else none). See the README.
ARCHIVE_SITES_DIR = None

# -- the archive -----------------------------------------------------------------
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Database URL; unset means the ARCHIVE_DB environment variable, else
# sqlite:///archive.sqlite3. PostgreSQL: postgresql+psycopg://user@host/db
ARCHIVE_DB = None
# Pages are parsed and stored in batches, one transaction each: a batch is
# sent when it holds ARCHIVE_BATCH_SIZE pages or has waited ARCHIVE_BATCH_SECONDS.
ARCHIVE_BATCH_SIZE = 100
ARCHIVE_BATCH_SECONDS = 0.25
# At most this many pages wait to be stored; beyond it the crawl slows to the
# database's pace rather than holding ever more pages in memory.
ARCHIVE_MAX_WAITING = 500

# When each fetch happened is the run's clock: unset, the machine's; an ISO instant
# with its offset (2026-12-01T08:00:00+00:00) stops it there, for tests.
ARCHIVE_CLOCK = None

# -- keeping the archive current --------------------------------------------------
# What the archive holds decides what a run fetches: archived articles only when
# due for a revisit, and whatever earlier runs discovered but did not fetch.
# False crawls from the seeds as if the archive were empty (still one row each).
ARCHIVE_INCREMENTAL = True
DUPEFILTER_CLASS = "crawler.plan.dupefilter.ArchiveDupeFilter"
# Revisits thin out with age: the wait after the 1st fetch, the 2nd, ...; the
# last repeats, until the article is ARCHIVE_REVISIT_MAX_DAYS old.
ARCHIVE_REVISIT_INTERVALS = ["1h", "6h", "1d", "3d"]
ARCHIVE_REVISIT_MAX_DAYS = 14
# A page that answered 404 or 410 is asked for again after this many days;
# other failures are retried by the next run.
ARCHIVE_RETRY_NOT_FOUND_DAYS = 7
# Long seed lists (id ranges, revisits) are fed in as the queue drains below this.
ARCHIVE_START_QUEUE = 1000
# Sitemaps (start=latest) may be this large, downloaded or once inflated from gzip:
# the protocol's 50,000 URLs a file, with room for news sitemaps' titles.
ARCHIVE_SITEMAP_MAXSIZE = 100 * 1024 * 1024
# How far one run's discovery goes (crawler.discovery.run). Sitemap indexes are
# followed this many deep; at most this many sitemaps are read a run (children of
# an index older than the window by their lastmod are skipped and do not count; a
# backfill raises it); at most this many entries of all sources are looked at. A
# run that stops at a bound is degraded, and its message names the setting.
ARCHIVE_SITEMAP_MAX_DEPTH = 5
ARCHIVE_SITEMAPS_PER_RUN = 1000
ARCHIVE_DISCOVERY_ENTRIES_PER_RUN = 1_000_000

# -- several workers, one frontier (crawler.cluster) ---------------------------------
# A Redis URL makes this run one worker of a frontier shared through Redis: the
# queue and the seen-set live there, every worker takes from and adds to them.
# Unset, the run is one process with its frontier on its own disk.
ARCHIVE_FRONTIER = None
ADDONS = {"crawler.cluster.addon.ClusterAddon": 0}
# The workers of a site share the Redis keys under this prefix; another archive
# database in the same Redis needs a prefix of its own.
ARCHIVE_FRONTIER_KEY = "newsarchive:%(site)s"
# A worker says it is alive every ARCHIVE_FRONTIER_HEARTBEAT seconds (and, when
# idle, looks for work queued by others); one silent for
# ARCHIVE_FRONTIER_WORKER_TIMEOUT (killed, machine lost) counts as gone.
ARCHIVE_FRONTIER_HEARTBEAT = 1.0
ARCHIVE_FRONTIER_WORKER_TIMEOUT = 30.0
# scrapy-redis's name: a worker stops once the shared queue has been empty, and no
# other worker has had work in hand, for this many seconds (0 in scrapy-redis
# means never, which leaves workers idle forever).
MAX_IDLE_TIME_BEFORE_CLOSE = 10

# -- runs, health and progress -----------------------------------------------------
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    # Feeds (-O items.jsonl) write the records as archived (crawler.export.feed).
    "scrapy.extensions.feedexport.FeedExporter": None,
    "crawler.export.feed.ArchivedRecordFeeds": 0,
    "crawler.extensions.gc_tuning.GcTuning": 100,
    "crawler.extensions.progress.Progress": 500,
    "crawler.extensions.archive_run.ArchiveRun": 510,
}
ARCHIVE_PROGRESS_INTERVAL = 60
# A run is degraded when a field's coverage falls more than ARCHIVE_HEALTH_TOLERANCE
# (a share, 0 to 1) below its median over the last ARCHIVE_HEALTH_RUNS finished
# runs; runs with fewer than ARCHIVE_HEALTH_MIN_PAGES pages are not judged on it.
ARCHIVE_HEALTH_RUNS = 5
ARCHIVE_HEALTH_TOLERANCE = 0.2
ARCHIVE_HEALTH_MIN_PAGES = 10
# The quality gate (crawler.archive.gate) holds a capture instead of making it a
# version when a field's rules, which read at least this share of the site's pages in
# most of the last ARCHIVE_HEALTH_RUNS finished runs, read none of this run's pages.
ARCHIVE_GATE_RULE_SHARE = 0.5

FEED_EXPORT_ENCODING = "utf-8"
# -o out.csv: the record's list fields as JSON, as `news-archive export --format csv` writes them.
FEED_EXPORTERS = {"csv": "crawler.export.feed.ArticleCsvItemExporter"}
# CSV feeds prefix formula-like text (=, +, -, @) with ' so that a spreadsheet shows
# it rather than runs it (crawler.export.cells); True writes the text untouched.
ARCHIVE_CSV_RAW = False
LOG_LEVEL = "INFO"
# Every log line says which clock it follows: the machine's, with its offset from UTC.
LOG_DATEFORMAT = "%Y-%m-%d %H:%M:%S%z"
