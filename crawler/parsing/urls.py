"""Links a page gives, resolved to URLs the archive can keep and a crawl could fetch,
and the one table of default ports by which every check of an origin (the
redirect check, crawler.middlewares.redirects; the discovery sources,
crawler.discovery.articles) tells ``example.org``, ``example.org:80`` and
``example.org:8080`` apart."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from urllib.parse import SplitResult

_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def absolute_http_url(base: str, link: str) -> str | None:
    """`link` resolved against `base`; None unless it is an http(s) URL with a host.

    A page's links are hostile input: one that urllib cannot even split (an
    unclosed IPv6 bracket, ``http://[bad``) is no URL, not an error that
    would cost the page its record.
    """
    text = link.strip()
    if not text:
        return None
    try:
        absolute = urljoin(base, text)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in _SCHEMES or not parts.hostname:
        return None
    return absolute


def reached_port(parts: SplitResult) -> tuple[int | None, bool]:
    """The port a URL reaches (the one it names, else its scheme's), and whether that is
    its scheme's default.

    Raises ValueError when the URL names a port that is not a number.
    """
    default = DEFAULT_PORTS.get(parts.scheme)
    named = parts.port
    port = default if named is None else named
    return port, port == default


def origin(url: str) -> tuple[str, str, int | None] | None:
    """A URL's origin: scheme, host (lower case) and the port it reaches; None if it has none."""
    try:
        parts = urlsplit(url)
        port, _ = reached_port(parts)
    except ValueError:  # an unclosed bracket, a port that is no number
        return None
    if parts.scheme not in _SCHEMES or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port


def same_origin(url: str, base: str) -> bool:
    """Whether `url` is on `base`'s origin (same scheme, host and port)."""
    reached = origin(url)
    return reached is not None and reached == origin(base)
