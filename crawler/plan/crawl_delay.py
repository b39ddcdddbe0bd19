"""How long a run waits between fetches of a site whose robots.txt asks for a Crawl-delay.

The site's wish is honoured up to ARCHIVE_CRAWL_DELAY_MAX: a robots.txt asking
for an hour between pages would stop an archive from keeping up with the
site, so a wish beyond the cap is met at the cap, and reported. It is never
less than the run's own DOWNLOAD_DELAY: Crawl-delay can slow a crawl, not
hurry it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrawlDelay:
    host: str
    asked: float
    """Seconds the site's robots.txt asks for."""
    delay: float
    """Seconds the run waits between two fetches of the site."""
    cap: float

    @property
    def capped(self) -> bool:
        """Whether the site asked for more than the run waits."""
        return self.asked > self.delay

    def note(self) -> str:
        """What the run's summary says of it, when the site asked for more than the cap."""
        return (
            f"{self.host} asks a Crawl-delay of {self.asked:g}s, "
            f"waited {self.delay:g}s (ARCHIVE_CRAWL_DELAY_MAX)"
        )


def choose_crawl_delay(host: str, asked: float, *, cap: float, download_delay: float) -> CrawlDelay:
    """The wait between fetches of `host`, whose robots.txt asks for `asked` seconds."""
    return CrawlDelay(host, asked, max(download_delay, min(asked, cap)), cap)
