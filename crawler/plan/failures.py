"""Why an article page could not be archived, as a short code a later run can act on.

Gone or unusable pages (``http_404``, ``not_html``, ``too_large``,
``redirect_loop``, ...) are tried again only after days; passing trouble
(``http_503``, ``timeout``, ``connection``, ...) is retried by the next run.
A 401 or 403 is trouble, not a page gone: a site that answers 403 to every
page has blocked the crawler, and a run that hid it as "gone" would report
an empty archive as finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import (
    ConnectError,
    ConnectionDone,
    ConnectionLost,
    TimeoutError,
)
from twisted.internet.error import ConnectionRefusedError as TCPConnectionRefusedError

if TYPE_CHECKING:
    from twisted.python.failure import Failure

_PASSING_HTTP = frozenset({401, 403, 408, 425, 429})
_REFUSING_HTTP = frozenset({401, 403, 429})
# "unreadable": a discovery source fetched whole that is not what it should be (not a
# feed, not a sitemap): the site answered, so it says nothing of the site's reach.
_GONE = frozenset(
    {
        "not_html",
        "too_large",
        "redirect_loop",
        "offsite_redirect",
        "offsite_article",
        "robots",
        "unreadable",
    }
)
_IGNORED = (
    ("max redirections", "redirect_loop"),
    ("Filtered offsite", "offsite_redirect"),
    ("Offsite article", "offsite_article"),
    # HttpCompressionMiddleware: a body that inflates past DOWNLOAD_MAXSIZE (a gzip bomb).
    ("Ignored response", "too_large"),
    ("Forbidden by robots.txt", "robots"),
)


def is_gone(reason: str) -> bool:
    """Whether a failure says the page is gone or unusable, not just unlucky."""
    if reason.startswith("http_"):
        status = int(reason.removeprefix("http_"))
        return 400 <= status < 500 and status not in _PASSING_HTTP
    return reason in _GONE


def describe(reason: str) -> str:
    """A reason code as a person reads it: ``HTTP 403``, ``connection refused``."""
    if reason.startswith("http_"):
        return f"HTTP {reason.removeprefix('http_')}"
    return _DESCRIPTIONS.get(reason, reason.replace("_", " "))


def trouble_kind(reason: str) -> str:
    """What a failure that is not the page's own fault says of the site.

    ``refused``: the site answers, but not to us (401, 403, 429): it blocks
    the crawler. ``failing``: it answers with server errors. ``unreachable``:
    it does not answer (refused connections, timeouts, no such host).
    """
    if reason.startswith("http_"):
        status = int(reason.removeprefix("http_"))
        return "refused" if status in _REFUSING_HTTP else "failing"
    return "unreachable"


_DESCRIPTIONS = {
    "connection_refused": "connection refused",
    "connection": "connection failed",
    "timeout": "timed out",
    "dns": "host name not found",
}


# Errors raised without a word: what they mean here, so no failure is recorded blank.
_UNSAID: dict[type, str] = {
    DownloadCancelledError: (
        "the reply grew past DOWNLOAD_MAXSIZE as it arrived (an endless or oversized reply)"
    ),
    CancelledError: (
        "the download was cancelled: its reply grew past DOWNLOAD_MAXSIZE as it arrived "
        "(an endless chunked reply), or the crawl was stopping"
    ),
}


def classify(failure: Failure) -> tuple[str, int | None, str]:
    """(reason code, HTTP status or None, message) of a request's failure."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", status, f"HTTP {status}"
    detail = failure.getErrorMessage().strip() or _UNSAID.get(
        failure.type,  # type: ignore[arg-type]
        "no message given",
    )
    message = f"{failure.type.__name__}: {detail}"  # type: ignore[union-attr]
    if failure.check(CancelledError):
        return "cancelled", None, message
    if failure.check(IgnoreRequest):
        text = failure.getErrorMessage()
        reason = next((code for start, code in _IGNORED if text.startswith(start)), "ignored")
        return reason, None, message
    for kinds, reason in (
        ((DownloadCancelledError,), "too_large"),
        ((DownloadTimeoutError, TimeoutError), "timeout"),
        ((CannotResolveHostError,), "dns"),
        ((DownloadConnectionRefusedError, TCPConnectionRefusedError), "connection_refused"),
        (
            (
                DownloadFailedError,
                ResponseDataLossError,
                ConnectError,
                ConnectionDone,
                ConnectionLost,
            ),
            "connection",
        ),
    ):
        if failure.check(*kinds):
            return reason, None, message
    return "error", None, message
