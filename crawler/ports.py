"""Which port a URL reaches: one table of default ports, for every check of an origin.

The redirect check (crawler.middlewares.redirects) and the discovery sources
(crawler.discovery.articles) both tell ``example.org``, ``example.org:80``
and ``example.org:8080`` apart the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.parse import SplitResult

DEFAULT_PORTS = {"http": 80, "https": 443}


def reached_port(parts: SplitResult) -> tuple[int | None, bool]:
    """The port a URL reaches (the one it names, else its scheme's), and whether that is
    its scheme's default.

    Raises ValueError when the URL names a port that is not a number.
    """
    default = DEFAULT_PORTS.get(parts.scheme)
    named = parts.port
    port = default if named is None else named
    return port, port == default
