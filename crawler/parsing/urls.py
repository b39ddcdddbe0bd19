"""Links a page gives, resolved to URLs the archive can keep and a crawl could fetch."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

_SCHEMES = ("http", "https")


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
