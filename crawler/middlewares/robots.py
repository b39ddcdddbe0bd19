"""robots.txt fetched once a run, though two parts of the crawl read it.

Scrapy's RobotsTxtMiddleware fetches a host's robots.txt before the first
request to it, to obey it; discovery (``robots_sitemaps``) then asks for the
same file, for its ``Sitemap:`` lines. This middleware keeps the response the
robots check got and answers any later request for that robots.txt with it,
so the site sees one request and both read the same text.

It must sit after RobotsTxtMiddleware (100): the check has fetched the file
by the time a request reaches it. A robots.txt that could not be fetched at
all is not kept: the next request for it downloads it (and discovery reports
what went wrong). Without ROBOTSTXT_OBEY nothing is kept, and discovery
fetches the file itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response


class SharedRobotsTxtMiddleware:
    def __init__(self) -> None:
        self._fetched: dict[tuple[str, str], Response] = {}
        """The robots check's response, by the scheme and host it was asked of."""

    def process_request(self, request: Request) -> Response | None:
        url = urlparse_cached(request)
        if url.path != "/robots.txt" or _is_the_robots_check(request):
            return None
        fetched = self._fetched.get((url.scheme, url.netloc))
        if fetched is None:
            return None
        return fetched.replace(request=request, flags=[*fetched.flags, "robots check's"])

    def process_response(self, request: Request, response: Response) -> Response:
        if _is_the_robots_check(request):
            # Asked of the host the check was for, whatever it was redirected to.
            asked = urlsplit(request.meta.get("redirect_urls", [request.url])[0])
            self._fetched.setdefault((asked.scheme, asked.netloc), response)
        return response


def _is_the_robots_check(request: Request) -> bool:
    """The request RobotsTxtMiddleware makes (no callback; it skips the check itself)."""
    return request.callback is NO_CALLBACK and bool(request.meta.get("dont_obey_robotstxt"))
