"""`scrapy crawl` of the local copy as a user types it: one command line for tests and bench.

The local copy answers at once, so the politeness the live site gets
(AutoThrottle, a download delay, two requests at a time) would only measure
and wait on the delays: every crawl of it turns them off, then takes the
caller's settings, which win.
"""

from __future__ import annotations

import sys

LOCAL_COPY_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=False",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
)


def crawl_command(
    *args: str,
    spider: str = "related",
    start: str | None = None,
    base_url: str | None = None,
    settings: tuple[str, ...] = (),
) -> list[str]:
    """The command line of a crawl of the local copy at `base_url`.

    `args` go to ``scrapy crawl`` as they are (``"-a", "since=all"`` or
    ``"-O", "items.jsonl"``); `settings` (``NAME=VALUE``) come after
    LOCAL_COPY_SETTINGS.
    """
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    if start is not None:
        command += ["-a", f"start={start}"]
    if base_url is not None:
        command += ["-a", f"base_url={base_url}"]
    for setting in (*LOCAL_COPY_SETTINGS, *settings):
        command += ["-s", setting]
    return command
