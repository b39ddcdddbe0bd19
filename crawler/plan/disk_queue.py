"""The crawl's frontier on disk, not in memory.

A follow-heavy crawl discovers pages faster than it fetches them: crawling
100,000 pages, tens of thousands of requests wait at once, a few kilobytes
each as Request objects. `DiskFrontierQueue` (SCHEDULER_MEMORY_QUEUE) keeps
them as Scrapy serialises them for JOBDIR (``request.to_dict``, marshal), in
a temporary file the operating system removes whenever the crawl ends,
killed or not. Order is last in, first out, like Scrapy's default memory
queue. With JOBDIR set, Scrapy's own disk queues are used first, as always.
"""

from __future__ import annotations

import marshal
import struct
import tempfile
from typing import TYPE_CHECKING, Any

from scrapy import Request as ScrapyRequest
from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

_SIZE = struct.Struct(">L")


class DiskStack:
    """Byte strings pushed onto an unnamed temporary file, popped last first."""

    def __init__(self) -> None:
        # The file lives as long as the queue; close() ends both.
        self._file = tempfile.TemporaryFile(prefix="archive-frontier-")  # noqa: SIM115
        self._count = 0

    def push(self, data: bytes) -> None:
        self._file.seek(0, 2)
        self._file.write(data)
        self._file.write(_SIZE.pack(len(data)))
        self._count += 1

    def pop(self) -> bytes | None:
        data = self.peek()
        if data is not None:
            self._file.seek(-len(data) - _SIZE.size, 2)
            self._file.truncate()
            self._count -= 1
        return data

    def peek(self) -> bytes | None:
        if not self._count:
            return None
        self._file.seek(-_SIZE.size, 2)
        (size,) = _SIZE.unpack(self._file.read(_SIZE.size))
        self._file.seek(-size - _SIZE.size, 2)
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    def __len__(self) -> int:
        return self._count


class DiskFrontierQueue:
    """A Scrapy scheduler queue whose requests wait on disk."""

    def __init__(self, spider: Spider) -> None:
        self.spider = spider
        self._disk = DiskStack()
        self._memory: list[Request] = []
        """Requests marshal cannot write (a third party's object in meta): kept as they are."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str) -> Self:
        assert crawler.spider is not None
        return cls(crawler.spider)

    def push(self, request: Request) -> None:
        try:
            data = marshal.dumps(request_as_dict(request, self.spider))
        except ValueError:
            self._memory.append(request)
            return
        self._disk.push(data)

    def pop(self) -> Request | None:
        if self._memory:
            return self._memory.pop()
        data = self._disk.pop()
        return None if data is None else request_from_dict(marshal.loads(data), spider=self.spider)

    def peek(self) -> Request | None:
        if self._memory:
            return self._memory[-1]
        data = self._disk.peek()
        return None if data is None else request_from_dict(marshal.loads(data), spider=self.spider)

    def close(self) -> None:
        self._disk.close()

    def __len__(self) -> int:
        return len(self._disk) + len(self._memory)


def request_as_dict(request: Request, spider: Spider) -> dict[str, Any]:
    """`request.to_dict(spider=spider)`, naming the spider's callback at once.

    Scrapy finds the callback's name by listing every member of the spider,
    once for the callback and once for the errback of every request: a
    tenth of a follow-heavy crawl's CPU. A method bound to the spider names
    itself; anything else is left to Scrapy.
    """
    names: dict[str, Any] = {}
    for role in ("callback", "errback"):
        method = getattr(request, role)
        if not callable(method):
            names[role] = method
            continue
        function = getattr(method, "__func__", None)
        name = getattr(function, "__name__", None)
        if getattr(method, "__self__", None) is not spider or name is None:
            return request.to_dict(spider=spider)
        if getattr(getattr(spider, name, None), "__func__", None) is not function:
            return request.to_dict(spider=spider)
        names[role] = name
    data: dict[str, Any] = {
        "url": request.url,
        "callback": names["callback"],
        "errback": names["errback"],
        "headers": dict(request.headers),
    }
    for attribute in request.attributes:
        data.setdefault(attribute, getattr(request, attribute))
    if type(request) is not ScrapyRequest:
        data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return data


def queued_requests(crawler: Crawler) -> int:
    """Requests waiting to be fetched: this process's queue, or a shared frontier's.

    Counted from the scheduler's stats when the queue is this process's own
    (no call into the queue); a shared frontier's scheduler is asked, since
    other workers add to it and take from it.
    """
    scheduler = crawler.engine.scheduler if crawler.engine is not None else None
    if scheduler is not None and getattr(scheduler, "shared", False):
        return len(scheduler)  # type: ignore[arg-type]
    stats = crawler.stats
    assert stats is not None
    return stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
