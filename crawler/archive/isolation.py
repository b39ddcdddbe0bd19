"""Storing a batch so that one page the database refuses never fails the others.

A batch is stored in one transaction. When the database refuses it for what
a page holds (`ErrorKind.BAD_DATA`: a value out of range, a constraint, a
size limit that the record's boundary did not foresee), the batch is split
in halves and each half stored on its own, down to the page at fault. That
page keeps its raw HTML, with ``outcome = dropped`` and the reason
``store_error: …``, so a fixed release can re-parse it; everything else is
stored, and the run goes on. A database that is away is waited for
(`with_retries`); one that takes no writes at all stops the run
(`ArchiveUnwritable`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.archive.db_errors import ErrorKind, classify, first_line, unwritable
from crawler.archive.retrying import with_retries
from crawler.archive.save import ParsedPage, SaveOutcome
from crawler.items import FetchFailure
from crawler.parsing.article import ParseResult
from crawler.parsing.safe_values import safe_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from crawler.archive.save import GateContext
    from crawler.archive.store import ArchiveStore

logger = logging.getLogger(__name__)


def save_isolating(
    store: ArchiveStore,
    pages: Sequence[ParsedPage],
    failures: Sequence[FetchFailure] = (),
    *,
    retry_budget: float,
    reparse: bool = False,
    gate: GateContext | None = None,
) -> list[SaveOutcome]:
    """`store.save(pages, failures, gate=gate)`, with a page the database refuses kept as dropped.

    Outcomes come as from `ArchiveStore.save`: the pages', then the failures'.
    Raises ArchiveUnwritable when the database takes no writes, and the
    database's error when it stays away longer than `retry_budget` seconds.
    """
    units: list[ParsedPage | FetchFailure] = [*pages, *failures]
    return _save(store, units, retry_budget, reparse, gate)


def _save(
    store: ArchiveStore,
    units: list[ParsedPage | FetchFailure],
    retry_budget: float,
    reparse: bool,
    gate: GateContext | None,
) -> list[SaveOutcome]:
    # Pages come before failures in `units`, and so in any slice of it: the outcomes
    # of a slice are in the slice's order, and those of two halves join up in order.
    pages = [unit for unit in units if isinstance(unit, ParsedPage)]
    failures = [unit for unit in units if isinstance(unit, FetchFailure)]
    outcomes, refused = _attempt(
        lambda: store.save(pages, failures, reparse=reparse, gate=gate),
        retry_budget,
        f"storing a batch of {len(units)}",
    )
    if refused is None:
        return outcomes
    if len(units) > 1:
        half = len(units) // 2
        return _save(store, units[:half], retry_budget, reparse, gate) + _save(
            store, units[half:], retry_budget, reparse, gate
        )
    return [_isolate(store, units[0], refused, retry_budget, reparse)]


def _attempt(
    save: Callable[[], list[SaveOutcome]], retry_budget: float, what: str
) -> tuple[list[SaveOutcome], Exception | None]:
    """The outcomes of `save`, or the error with which the database refused the data.

    A database that is away is waited for (`with_retries`) and raises once the
    budget is spent; one that takes no writes raises ArchiveUnwritable.
    """
    try:
        return with_retries(save, budget=retry_budget, what=what), None
    except Exception as error:
        kind = classify(error)
        if kind is ErrorKind.UNWRITABLE:
            raise unwritable(error) from error
        if kind is ErrorKind.AWAY:
            raise
        return [], error


def _isolate(
    store: ArchiveStore,
    unit: ParsedPage | FetchFailure,
    error: Exception,
    retry_budget: float,
    reparse: bool,
) -> SaveOutcome:
    """The one page (or failure record) the database refused, kept as far as it can be."""
    reason = safe_text(f"store_error: {first_line(error)}")[:200]  # it may quote the value
    if isinstance(unit, FetchFailure):
        logger.error(
            "%s/%s: its failed fetch cannot be recorded: %s", unit.site, unit.article_id, reason
        )
        return SaveOutcome(
            unit.site, unit.article_id, "failed", None, None, [], unit.error, unit.reason
        )
    page = unit.page
    logger.error("%s/%s cannot be stored, kept as dropped: %s", page.site, page.article_id, reason)
    dropped = ParsedPage(page, ParseResult(None, reason, list(unit.result.warnings)))
    outcomes, refused = _attempt(
        lambda: store.save([dropped], reparse=reparse),
        retry_budget,
        f"storing the raw page of {page.article_id}",
    )
    if refused is None:
        return outcomes[0]
    logger.error(
        "%s/%s: not even its raw page can be stored: %s",
        page.site,
        page.article_id,
        first_line(refused),
    )
    return SaveOutcome(page.site, page.article_id, "dropped", None, reason, dropped.result.warnings)
