"""python -m localcopy [--port 8765] [--pages 250] [--sitemap-size N] [--admin]
                              [--site courier] [--validators] [--gzip]

or --wait URL: wait until the copy answers;
or --publish N URL: have a copy served with --admin publish N new articles.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.request

from localcopy import publish
from localcopy.server import serve
from localcopy.site import SEED_ID, LocalSite
from localcopy.storysite import StorySite


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m localcopy", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pages", type=int, default=250, help="article pages to serve")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="also answer POST /admin/publish?count=N: publish N new articles (benchmarks)",
    )
    parser.add_argument(
        "--sitemap-size",
        type=int,
        default=50_000,
        help="URLs a sitemap of the whole archive lists (0: no such sitemaps)",
    )
    parser.add_argument(
        "--validators",
        action="store_true",
        help="answer with ETag and Last-Modified, and 304 to a request for a page unchanged",
    )
    parser.add_argument(
        "--gzip", action="store_true", help="send article pages gzip-compressed on the wire"
    )
    parser.add_argument("--wait", metavar="URL", help="wait until URL answers, then exit")
    parser.add_argument(
        "--site",
        choices=["alalam", "courier"],
        default="alalam",
        help="courier: the second site, stories by slug as application JSON (StorySite)",
    )
    parser.add_argument(
        "--publish",
        nargs=2,
        metavar=("N", "URL"),
        help="have the copy at URL (served with --admin) publish N new articles, then exit",
    )
    args = parser.parse_args()
    if args.wait:
        return _wait(args.wait)
    if args.publish:
        published = publish(args.publish[1], int(args.publish[0]))
        print(f"local copy: published {', '.join(published)}")
        return 0
    site: LocalSite | StorySite
    if args.site == "courier":
        site = StorySite(pages=args.pages)
    else:
        site = LocalSite(
            pages=args.pages,
            sitemap_size=args.sitemap_size,
            validators=args.validators,
            gzip=args.gzip,
        )
    return asyncio.run(_serve_forever(site, args.port, admin=args.admin))


async def _serve_forever(site: LocalSite | StorySite, port: int, *, admin: bool) -> int:
    _, bound = await serve(site, "127.0.0.1", port, admin=admin)
    base = f"http://127.0.0.1:{bound}"
    if isinstance(site, StorySite):
        first = f"{base}/stories/{site.first}"
        served = f"{site.pages} stories of the Harbour Courier, the first at {first}"
    else:
        served = f"{len(site.related)} pages at {base}/news/{SEED_ID}"
    print(f"local copy: {served}", flush=True)
    await asyncio.Event().wait()
    return 0


def _wait(url: str, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return 0
        except OSError:
            time.sleep(0.1)
    print(f"{url} did not answer within {timeout:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
