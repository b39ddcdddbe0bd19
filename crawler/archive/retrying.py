"""Riding out a database that is briefly away: restarted, or locked by another process.

A batch is one transaction, so trying it again after a failure is safe: it
either committed whole or not at all. Errors that say the connection or the
lock is the trouble (see `db_errors.classify`) are retried with growing
waits until the budget is spent; any other error is raised at once, for the
caller to isolate the page or stop the run.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, TypeVar

from crawler.archive.db_errors import ErrorKind, classify, first_line

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    return classify(error) is ErrorKind.AWAY


def with_retries(action: Callable[[], T], *, budget: float, what: str) -> T:
    """`action()`, tried again while the database is away, for up to `budget` seconds."""
    deadline = time.monotonic() + budget
    wait = 0.5
    while True:
        try:
            return action()
        except Exception as error:
            if not is_transient(error) or time.monotonic() + wait > deadline:
                raise
            logger.warning("%s failed (%s); trying again in %.1f s", what, first_line(error), wait)
            time.sleep(wait)
            wait = min(wait * 2, 10.0)
