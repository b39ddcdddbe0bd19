"""scrapy-redis's scheduler and queue, adapted to Scrapy 2.19 and to workers that come and go.

What is scrapy-redis's and used as it is: the connection settings
(``REDIS_URL``, ``REDIS_PARAMS``), the priority queue in a sorted set with its
atomic pop, and the scheduler's shape. What is adapted, and why:

- ``from_crawler``: scrapy-redis builds the duplicate filter with
  ``from_settings``, which Scrapy's filters no longer have (Scrapy 2.19 fails
  with AttributeError); ours is built with ``from_crawler``, as Scrapy does.
- ``enqueue_request``/``next_request``/``open``: scrapy-redis passes
  ``spider=`` to the stats collector and logs through ``Spider.log()``, both
  deprecated in Scrapy 2.19 (a warning each time); ours also counts
  ``scheduler/enqueued`` and ``scheduler/dequeued`` like Scrapy's scheduler,
  and names its queue after the site, not the spider (one spider, many sites).
- ``close``: scrapy-redis deletes the queue and the seen-set when a worker
  stops (unless SCHEDULER_PERSIST), i.e. the first worker to finish would
  wipe out the frontier of every other; ours leaves, and the last worker out
  drops the run's seen-set (see `crawler.cluster.membership`).
- stopping when idle: scrapy-redis's SCHEDULER_IDLE_BEFORE_CLOSE blocks the
  event loop in a blocking pop (and the priority queue ignores it), and its
  MAX_IDLE_TIME_BEFORE_CLOSE belongs to RedisSpider, whose idle clock starts
  when the class is imported. We honour MAX_IDLE_TIME_BEFORE_CLOSE with the
  meaning its name gives: a worker stops once the shared queue has been empty,
  and no other worker has had work in hand, for that many seconds.
- the queue stores requests as `crawler.plan.disk_queue` writes them to disk
  (marshal, callbacks by name: pickle is slower, and unpickling what Redis
  holds would run any code someone put there), each with the run it was
  queued in; a request queued in an earlier run is checked against this
  run's seen-set when taken.
- Redis going away: scrapy-redis lets its errors escape into Scrapy's engine,
  and a worker whose queue cannot be read looks idle and stops as
  "finished". Ours stops at once with reason ``frontier_lost`` and the run
  `failed` (see `ArchiveRun.stop`): what it fetched is stored, what it found
  is in the archive as discovered and fetched by the next run. Heartbeats
  that fail are borne for as long as the others would still count this
  worker alive.
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis import connection
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.archive.database import redact_urls
from crawler.cluster.membership import SharedFrontier, frontier_prefix
from crawler.extensions.archive_run import ArchiveRun
from crawler.plan.disk_queue import request_as_dict

if TYPE_CHECKING:
    from typing import Self

    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from crawler.cluster.dupefilter import ClusterDupeFilter

logger = logging.getLogger(__name__)


class SharedQueue(PriorityQueue):
    """scrapy-redis's priority queue, holding marshalled requests tagged with their run."""

    run = 0
    """The run requests pushed now belong to."""
    popped_run = 0
    """The run of the request `pop` returned last."""

    def _encode_request(self, request: Request) -> bytes:
        return marshal.dumps((self.run, request_as_dict(request, self.spider)))

    def _decode_request(self, encoded_request: bytes) -> Request:
        run, data = marshal.loads(encoded_request)
        # A request class is loaded by name: only Scrapy's own, whatever Redis says.
        if not str(data.get("_class", "scrapy.")).startswith("scrapy."):
            raise ValueError(f"refusing request class {data['_class']!r} from the frontier")
        self.popped_run = run
        return request_from_dict(data, spider=self.spider)


class ClusterScheduler(Scheduler):
    shared = True
    """Its queue is the frontier of every worker (see `crawler.plan.disk_queue.queued_requests`)."""

    def __init__(self, crawler: Crawler, server: Redis, dupefilter: ClusterDupeFilter) -> None:
        super().__init__(server, persist=True, dupefilter=dupefilter)
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.df: ClusterDupeFilter = dupefilter
        self.key_template = settings.get("ARCHIVE_FRONTIER_KEY")
        self.heartbeat_seconds = settings.getfloat("ARCHIVE_FRONTIER_HEARTBEAT")
        self.worker_timeout = settings.getfloat("ARCHIVE_FRONTIER_WORKER_TIMEOUT")
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.frontier: SharedFrontier | None = None
        self.queue: SharedQueue
        self._local: list[Request] = []
        """Requests marshal cannot write (a third party's object in meta): kept here, unshared."""
        self._busy_said = False
        self._idle_since: float | None = None
        self._heartbeat: Any = None
        self._last_beat = time.monotonic()
        self._lost = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        server = connection.get_redis_from_settings(crawler.settings)
        server.ping()
        dupefilter = build_from_crawler(load_object(crawler.settings["DUPEFILTER_CLASS"]), crawler)
        scheduler = cls(crawler, server, dupefilter)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        run = self.crawler.get_extension(ArchiveRun)
        site = run.site if run is not None else spider.name
        prefix = frontier_prefix(self.key_template, site, spider.name)
        # Not scrapy-redis's open(): it logs through Spider.log(), deprecated in Scrapy 2.19.
        self.spider = spider
        self.queue_key = f"{prefix}:requests"
        self.queue = SharedQueue(server=self.server, spider=spider, key=self.queue_key)
        frontier = SharedFrontier(self.server, prefix, self.worker, self.worker_timeout)
        beat = frontier.join()
        self.frontier = frontier
        self.queue.run = beat.run
        self.df.attach(frontier)
        self._busy_said = True
        self.stats.set_value("frontier/run", beat.run)
        self.stats.set_value("frontier/worker", self.worker)
        logger.info(
            "Worker %s %s run %d of the shared frontier %s (%d requests queued)",
            self.worker,
            "began" if beat.began else "joined",
            beat.run,
            prefix,
            beat.queued,
        )
        self._heartbeat = create_looping_call(self._beat)
        self._heartbeat.start(self.heartbeat_seconds, now=False)

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        if self.frontier is not None:
            try:
                last = self.frontier.leave()
            except RedisError as error:
                logger.warning("Worker %s could not leave the frontier: %s", self.worker, error)
                return
            logger.info(
                "Worker %s left run %d%s",
                self.worker,
                self.frontier.run,
                " as the last worker" if last else "",
            )

    def enqueue_request(self, request: Request) -> bool:
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except RedisError as error:
            # Not lost: its source page is stored with the link, so the next run fetches it.
            self.frontier_lost(error)
            return False
        except ValueError:
            self._local.append(request)
            self.stats.inc_value("scheduler/enqueued/unshared")
        else:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        try:
            request = self._local.pop() if self._local else self._pop_shared()
            if request is None:
                return None
            if not self._busy_said:
                self._say(busy=True)  # at once, so that no idle worker stops meanwhile
        except RedisError as error:
            self.frontier_lost(error)
            return None
        self.stats.inc_value("scheduler/dequeued")
        self._idle_since = None
        return request

    def _pop_shared(self) -> Request | None:
        while True:
            try:
                request = self.queue.pop()
            except (ValueError, EOFError, TypeError) as error:  # not what a worker writes
                logger.error("Dropped an unreadable entry of the frontier: %s", error)
                continue
            if request is None:
                return None
            self.stats.inc_value("scheduler/dequeued/redis")
            # Queued by an earlier run (killed, or pushed by `scrapy seed`): this run
            # may have seen it already.
            if (
                self.queue.popped_run != self.queue.run
                and not request.dont_filter
                and self.df.request_seen(request)
            ):
                continue
            return request

    def __len__(self) -> int:
        try:
            return len(self._local) + len(self.queue)
        except RedisError:
            return len(self._local)

    def spider_idle(self) -> None:
        """Keep the worker until the frontier has been drained, by every worker, for a while."""
        if self._lost:
            raise DontCloseSpider  # closing already, as `frontier_lost`, not as finished
        try:
            beat = self._say(busy=False)
        except RedisError as error:
            self.frontier_lost(error)
            raise DontCloseSpider from None
        if beat.queued or beat.others_busy:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.max_idle:
            raise DontCloseSpider

    def _beat(self) -> None:
        engine = self.crawler.engine
        try:
            busy = engine.spider is not None and not engine.spider_is_idle()
            self._say(busy=busy)
        except RedisError as error:
            if time.monotonic() - self._last_beat > self.worker_timeout:
                self.frontier_lost(error)  # the others count this worker dead by now
            else:  # Redis away a moment: the next heartbeat tries again
                logger.warning("Frontier heartbeat failed: %s", error)
            return
        self._wake(engine)

    def frontier_lost(self, error: RedisError) -> None:
        """Redis is away: this worker can neither take work, share it, nor say it is alive.

        It stops, and its run fails: the pages it has fetched are stored, the
        ids it found are in the archive as discovered, and the next run
        fetches what this one could not.
        """
        if self._lost:
            return
        self._lost = True
        url = redact_urls(self.crawler.settings.get("ARCHIVE_FRONTIER") or "Redis")
        message = f"the shared frontier {url} went away: {error}"
        logger.error("Worker %s stops: %s", self.worker, message)
        run = self.crawler.get_extension(ArchiveRun)
        if run is not None:
            run.stop("frontier_lost", message)
        else:  # a worker that archives nothing still stops, as the same reason
            self._closing = asyncio.ensure_future(
                self.crawler.engine.close_spider_async(reason="frontier_lost")
            )

    @staticmethod
    def _wake(engine: Any) -> None:
        """Have the engine look at the queue (and, idle, at whether to stop) now.

        Scrapy's engine asks its scheduler for requests when one of its own
        downloads ends, else every 5 seconds; a shared queue also fills from
        other workers, and a worker waiting 5 s for them is a worker lost at
        the start of every run. An engine with no room left returns at once.
        There is no public call for this: the engine's own next-call is used,
        and nothing happens if it has gone.
        """
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _say(self, *, busy: bool) -> Any:
        assert self.frontier is not None
        beat = self.frontier.beat(busy=busy)
        self._last_beat = time.monotonic()
        self._busy_said = busy
        if beat.run != self.queue.run:
            logger.warning(
                "Worker %s was taken for dead and is now in run %d (was %d)",
                self.worker,
                beat.run,
                self.queue.run,
            )
            self.queue.run = beat.run
            self.df.attach(self.frontier)
        return beat
