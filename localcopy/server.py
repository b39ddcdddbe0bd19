"""Serving a `LocalSite` over HTTP on 127.0.0.1 (aiohttp, already a Scrapy dependency)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus

from aiohttp import web

from localcopy import sources
from localcopy.site import LocalSite, Reply
from localcopy.storysite import StorySite

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"


def make_app(site: LocalSite | StorySite, *, admin: bool = False) -> web.Application:
    """The site's routes; with `admin`, also ``POST /admin/publish?count=N``.

    Publishing over HTTP lets a benchmark or a demo change a copy served by
    another process, as time changes the live site between two runs.
    """

    if isinstance(site, StorySite):
        return _story_app(site)

    async def article(request: web.Request) -> web.StreamResponse:
        site.requests.append((time.monotonic(), request.match_info["id"]))
        agent = request.headers.get("User-Agent", "")
        site.agents[agent] += 1
        if site.serves(request.match_info["id"]):
            site.served_to[agent] += 1
        while agent in site.held_agents:
            await asyncio.sleep(0.02)
        if site.delay:
            await asyncio.sleep(site.delay)
        reply = site.blocked or site.reply(request.match_info["id"])
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.reset:
            assert request.transport is not None
            request.transport.abort()  # the client sees the connection drop
            raise web.HTTPInternalServerError
        if reply.status == HTTPStatus.OK and site.validators:
            reply = conditional(request, reply)
        if reply.status == HTTPStatus.OK and site.gzip:
            reply = compressed(request, reply)
        return _response(reply)

    def source(make: Callable[[web.Request], Reply]) -> Handler:
        """A discovery source's route; a reply a test put in `site.sources` replaces it."""

        async def handler(request: web.Request) -> web.Response:
            site.source_requests[request.path] += 1
            return _response(site.blocked or site.sources.get(request.path) or make(request))

        return handler

    def origin(request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def publish(request: web.Request) -> web.Response:
        try:
            count = int(request.query.get("count", "1"))
        except ValueError:
            raise web.HTTPBadRequest(text="count must be a whole number") from None
        if not 0 < count <= 100_000:
            raise web.HTTPBadRequest(text="count must be between 1 and 100000")
        return web.json_response(site.publish(count))

    app = web.Application()
    if admin:
        app.router.add_post("/admin/publish", publish)
    app.router.add_get("/news/{id:[0-9]+}", article)
    app.router.add_get("/news/{id:[0-9]+}/{slug}", article)
    app.router.add_get("/news", source(lambda _: site.listing()))
    app.router.add_get("/robots.txt", source(lambda r: sources.robots_txt(origin(r))))
    app.router.add_get("/rss.xml", source(lambda r: sources.rss_feed(site, origin(r))))
    app.router.add_get("/sitemap.xml", source(lambda r: sources.sitemap_index(site, origin(r))))
    app.router.add_get("/sitemap-news.xml", source(lambda r: sources.news_sitemap(site, origin(r))))
    app.router.add_get(
        "/sitemap-articles-{number:[0-9]+}.xml.gz",
        source(lambda r: sources.archive_sitemap(site, origin(r), int(r.match_info["number"]))),
    )
    app.router.add_get("/", source(lambda _: sources.front_page()))
    return app


def _story_app(site: StorySite) -> web.Application:
    """The second site's routes: stories by slug, the latest stories, robots.txt."""

    async def story(request: web.Request) -> web.Response:
        return _response(site.reply(request.match_info["slug"]))

    async def latest(_request: web.Request) -> web.Response:
        return _response(site.latest())

    async def robots(_request: web.Request) -> web.Response:
        return web.Response(body=ROBOTS_TXT, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/stories/{slug}", story)
    app.router.add_get("/latest", latest)
    app.router.add_get("/robots.txt", robots)
    return app


def conditional(request: web.Request, reply: Reply) -> Reply:
    """The reply with its validators, or ``304 Not Modified`` if the client holds it already.

    The ETag is the body's hash (it changes with any edit); Last-Modified, the
    instant the copy first served this body. If-None-Match, when sent, decides
    alone (RFC 9110 13.2.2).
    """
    etag = '"' + hashlib.sha1(reply.body).hexdigest()[:20] + '"'
    modified = _FIRST_SERVED.setdefault(etag, datetime.now(UTC).replace(microsecond=0))
    headers = {**reply.headers, "ETag": etag, "Last-Modified": format_datetime(modified, True)}
    asked_etag = request.headers.get("If-None-Match")
    asked_since = request.headers.get("If-Modified-Since")
    unchanged = False
    if asked_etag is not None:
        unchanged = etag in (tag.strip() for tag in asked_etag.split(","))
    elif asked_since is not None:
        with contextlib.suppress(TypeError, ValueError):
            unchanged = modified <= parsedate_to_datetime(asked_since)
    if unchanged:
        kept = {name: value for name, value in headers.items() if name != "Content-Type"}
        return Reply(HTTPStatus.NOT_MODIFIED, b"", kept)
    return Reply(reply.status, reply.body, headers, reply.delay, reply.reset)


def compressed(request: web.Request, reply: Reply) -> Reply:
    """The reply gzip-compressed on the wire, to a client that accepts gzip."""
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return reply
    body = gzip.compress(reply.body, mtime=0)
    headers = {**reply.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Reply(reply.status, body, headers, reply.delay, reply.reset)


# When each body was first served, by ETag: Last-Modified stays put while the page does.
_FIRST_SERVED: dict[str, datetime] = {}


def _response(reply: Reply) -> web.Response:
    return web.Response(status=reply.status, body=reply.body, headers=reply.headers)


async def serve(
    site: LocalSite | StorySite, host: str, port: int, *, admin: bool = False
) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(make_app(site, admin=admin), access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, host, port)
    await tcp.start()
    bound = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, bound


class ServerThread:
    """The local copy in a background thread, for tests: `with ServerThread(site) as url:`."""

    def __init__(self, site: LocalSite | StorySite, port: int = 0) -> None:
        self.site = site
        self.port = port
        self.base_url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="local-copy", daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local copy did not start")
        return self.base_url

    def __exit__(self, *_exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        runner, port = await serve(self.site, "127.0.0.1", self.port)
        self.base_url = f"http://127.0.0.1:{port}"
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()
