"""The shared frontier's bookkeeping in Redis: who is working, which run, what was seen.

Workers of one site share these keys, under a prefix (ARCHIVE_FRONTIER_KEY):

``<prefix>:requests``      the queue of requests (scrapy-redis's priority queue)
``<prefix>:workers``       live workers, ``host:pid``, scored by when they count as dead
``<prefix>:busy``          the live workers that have work in hand, scored alike
``<prefix>:run``           the number of the current run (a counter, never reset)
``<prefix>:seen:<run>:ids``    bitmap of the article ids the run has seen
``<prefix>:seen:<run>:large``  set of article ids too large for the bitmap
``<prefix>:seen:<run>:slugs``  set of slug article ids (ids that are not numbers)
``<prefix>:seen:<run>:other``  set of Scrapy fingerprints of other requests (listing pages)

A *run* lasts as long as at least one worker is alive: the first worker to
start when none is alive begins a new run, with an empty seen-set, so that an
hourly cron run revisits what is due rather than finding everything seen by
the last one. Workers started later join the run. A worker that stops
heartbeating (SIGKILL, a lost machine) counts as dead once its deadline
passes. Times come from the Redis server, so the machines' clocks need not
agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.archive.database import redact_urls
from crawler.plan.idset import BITMAP_LIMIT
from crawler.sites.profile import is_number_id

if TYPE_CHECKING:
    from redis import Redis

# One round trip for everything a heartbeat needs, atomic so that two workers
# starting at once agree on the run. ARGV: key prefix, worker, seconds to live,
# busy (0/1), may begin a new run (0/1). Returns {run, began a new run, others busy, queued}.
_BEAT = """
local prefix = ARGV[1]
local workers, busy, run_key = prefix .. ':workers', prefix .. ':busy', prefix .. ':run'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local deadline = now + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', workers, '-inf', now)
redis.call('ZREMRANGEBYSCORE', busy, '-inf', now)
local run = tonumber(redis.call('GET', run_key) or '0')
local began = 0
if ARGV[5] == '1' and (run == 0 or redis.call('ZCARD', workers) == 0) then
  if run > 0 then
    local old = prefix .. ':seen:' .. run
    redis.call('DEL', old .. ':ids', old .. ':large', old .. ':slugs', old .. ':other')
  end
  run = redis.call('INCR', run_key)
  began = 1
end
redis.call('ZADD', workers, deadline, ARGV[2])
if ARGV[4] == '1' then
  redis.call('ZADD', busy, deadline, ARGV[2])
else
  redis.call('ZREM', busy, ARGV[2])
end
local others = redis.call('ZCARD', busy)
if ARGV[4] == '1' then others = others - 1 end
return {run, began, others, redis.call('ZCARD', prefix .. ':requests')}
"""

# A worker leaving; the last one out, with nothing queued, drops the run's seen-set.
_LEAVE = """
local prefix = ARGV[1]
local workers = prefix .. ':workers'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREM', workers, ARGV[2])
redis.call('ZREM', prefix .. ':busy', ARGV[2])
redis.call('ZREMRANGEBYSCORE', workers, '-inf', now)
if redis.call('ZCARD', workers) == 0 and redis.call('ZCARD', prefix .. ':requests') == 0 then
  local seen = prefix .. ':seen:' .. ARGV[3]
  redis.call('DEL', seen .. ':ids', seen .. ':large', seen .. ':slugs', seen .. ':other')
  return 1
end
return 0
"""


@dataclass
class Beat:
    run: int
    """The run this worker belongs to."""
    began: bool
    """This worker began it (no other worker was alive)."""
    others_busy: int
    """Other live workers with work in hand."""
    queued: int
    """Requests waiting in the shared queue."""


class SharedFrontier:
    """One worker's view of the shared frontier of a site."""

    def __init__(self, server: Redis, prefix: str, worker: str, timeout: float) -> None:
        self.server = server
        self.prefix = prefix
        self.worker = worker
        self.timeout = timeout
        """Seconds without a heartbeat after which a worker counts as dead."""
        self.run = 0
        self.queue_key = f"{prefix}:requests"
        self._beat = server.register_script(_BEAT)
        self._leave = server.register_script(_LEAVE)

    def join(self) -> Beat:
        """Join the current run, or begin one if no worker is alive."""
        return self.beat(busy=True, may_begin=True)

    def beat(self, *, busy: bool, may_begin: bool = False) -> Beat:
        """Say this worker is alive (and whether it has work in hand); learn the others' state.

        A heartbeat never begins a new run: a worker that was taken for dead
        (its event loop blocked longer than the timeout) rejoins the run it was in.
        """
        args = [self.prefix, self.worker, self.timeout, int(busy), int(may_begin)]
        run, began, others, queued = self._beat(keys=[], args=args)
        beat = Beat(int(run), bool(began), int(others), int(queued))
        self.run = beat.run
        return beat

    def leave(self) -> bool:
        """Leave the run; True when this was the last worker and the run's seen-set is gone."""
        return bool(self._leave(keys=[], args=[self.prefix, self.worker, self.run]))

    def live_workers(self) -> set[str]:
        """``host:pid`` of every worker whose deadline has not passed."""
        seconds, micros = self.server.time()
        now = seconds + micros / 1_000_000
        workers = self.server.zrangebyscore(f"{self.prefix}:workers", now, "+inf")
        return {_text(worker) for worker in workers}

    def seen_article(self, article_id: str) -> bool:
        """Whether the run has seen this article id; marks it seen (atomically) if not."""
        base = f"{self.prefix}:seen:{self.run}"
        if not is_number_id(article_id):
            return not self.server.sadd(f"{base}:slugs", article_id)  # slug ids, as they are
        number = int(article_id)
        if number < BITMAP_LIMIT:
            return bool(self.server.setbit(f"{base}:ids", number, 1))
        return not self.server.sadd(f"{base}:large", number)

    def seen_fingerprint(self, fingerprint: str) -> bool:
        return not self.server.sadd(f"{self.prefix}:seen:{self.run}:other", fingerprint)

    def queued(self) -> int:
        return int(self.server.zcard(self.queue_key))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class FrontierError(ValueError):
    """The shared frontier cannot be used: a bad URL, or Redis not answering."""


def connect(url: str, *, timeout: float = 5.0) -> Redis:
    """A client of the Redis at `url`, checked to answer; FrontierError if not."""
    from redis import Redis
    from redis.exceptions import RedisError

    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise FrontierError(
            f"ARCHIVE_FRONTIER must be a redis://, rediss:// or unix:// URL: {redact_urls(url)}"
        )
    try:
        server = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        server.ping()
    except (RedisError, ValueError) as error:
        raise FrontierError(
            f"the shared frontier {redact_urls(url)} does not answer: {error}"
        ) from None
    return server


def frontier_prefix(template: str, site: str, spider: str) -> str:
    """The key prefix of a site's frontier (ARCHIVE_FRONTIER_KEY)."""
    prefix = template % {"site": site, "spider": spider}
    if "%" in prefix:  # scrapy-redis %-formats the queue key twice more
        raise FrontierError(f"ARCHIVE_FRONTIER_KEY gives a key with '%' in it: {prefix!r}")
    return prefix
