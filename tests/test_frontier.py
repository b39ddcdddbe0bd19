"""The frontier on disk: requests go in and come back out, last first, as they were."""

from __future__ import annotations

import pytest
import scrapy

from crawler.plan.disk_queue import DiskFrontierQueue, DiskStack
from crawler.spiders.related import RelatedSpider


def spider() -> RelatedSpider:
    return RelatedSpider(start="1851093", base_url="http://127.0.0.1:8000")


def test_a_disk_stack_gives_back_the_last_pushed_first():
    stack = DiskStack()
    for data in (b"one", b"two", b"", b"three"):
        stack.push(data)

    assert [stack.pop() for _ in range(5)] == [b"three", b"", b"two", b"one", None]
    stack.close()


def test_requests_come_back_with_their_callback_arguments_and_meta():
    owner = spider()
    queue = DiskFrontierQueue(owner)
    request = owner.article_request("1808639", refetch=True)
    request.meta["depth"] = 3

    queue.push(request)
    back = queue.pop()

    assert (back.url, back.cb_kwargs, back.meta["depth"], back.meta["archive_refetch"]) == (
        request.url,
        {"article_id": "1808639"},
        3,
        True,
    )
    assert back.callback == owner.parse_article and back.errback == owner.fetch_failed
    assert len(queue) == 0 and queue.pop() is None


def test_a_request_marshal_cannot_write_waits_in_memory_instead():
    owner = spider()
    queue = DiskFrontierQueue(owner)
    odd = scrapy.Request("http://127.0.0.1:8000/news/1", meta={"thing": object()})

    queue.push(odd)

    assert len(queue) == 1 and queue.pop() is odd


def test_a_request_is_written_as_scrapy_itself_would_write_it():
    from crawler.plan.disk_queue import request_as_dict

    owner = spider()
    request = owner.article_request("1808639", refetch=True)
    request.headers["Referer"] = "http://127.0.0.1:8000/news/1851093"

    assert request_as_dict(request, owner) == request.to_dict(spider=owner)


def test_a_callback_that_is_not_the_spiders_own_is_left_to_scrapy():
    from crawler.plan.disk_queue import request_as_dict

    owner = spider()
    request = scrapy.Request("http://127.0.0.1:8000/news/1", callback=len)

    with pytest.raises(ValueError, match="not an instance method"):  # as Scrapy's to_dict
        request_as_dict(request, owner)
