"""`-s ARCHIVE_FRONTIER=redis://host:6379/0` makes a run a worker of a shared frontier.

An add-on (Scrapy's ADDONS) so that settings.py keeps values only: without
ARCHIVE_FRONTIER it changes nothing; with it, the scheduler and the
duplicate filter become the shared ones in Redis. They replace whatever
SCHEDULER and DUPEFILTER_CLASS say, from whatever source: a worker with a
private frontier would fetch what the others fetch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SCHEDULER = "crawler.cluster.scheduler.ClusterScheduler"
DUPEFILTER = "crawler.cluster.dupefilter.ClusterDupeFilter"


class ClusterAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("ARCHIVE_FRONTIER")
        if not url:
            return
        for name, value in (
            ("SCHEDULER", SCHEDULER),
            ("DUPEFILTER_CLASS", DUPEFILTER),
            ("REDIS_URL", url),  # scrapy-redis's connection setting
        ):
            priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
            settings.set(name, value, priority=priority)
