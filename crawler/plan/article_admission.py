"""At most N new articles a run (``-a max_articles=N``): which fetches may go out now.

Whether a page gives a new article is known only once its batch is stored,
well after its download. So the limit is held where a fetch that could give
one starts: a fetch of an id the archive does not hold goes out only while
the new articles counted so far plus the fetches still undecided stay below
N. A fetch that turns out new counts; one that does not (dropped, failed,
already archived) makes room for the next. The run so archives exactly N new
articles when the site has N more to give, and never more. Revisits of
archived ids cannot give a new article and are never held.

What is held back is not lost: its id is a related id of a page archived in
this run (or announced by a discovery source), which the next run fetches
first (`crawler.plan.schedule`).
"""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Container


class Admission(enum.Enum):
    GO = "go"
    """Fetch it now."""
    WAIT = "wait"
    """Not yet: undecided fetches may still make the limit; ask again when one is decided."""
    REACHED = "reached"
    """The limit is reached: not this run."""


class ArticleLimit:
    def __init__(self, limit: int, archived: Container[str]) -> None:
        if limit < 1:
            raise ValueError(f"the limit of new articles must be 1 or more, not {limit}")
        self.limit = limit
        self.archived = archived
        """Ids the archive held when the run started: their fetches are never new."""
        self.new = 0
        """New articles archived in this run."""
        self.undecided: set[str] = set()
        """Ids let through whose outcome is not in yet (a redirect or a retry is the same fetch)."""
        self.held = 0
        """Fetches the limit held back, for good, because it was reached."""
        self.stopped = False
        """The run stopped for another reason (its archive failed): nothing more goes out."""
        self._decided = asyncio.Event()

    @property
    def reached(self) -> bool:
        return self.new >= self.limit

    def stop(self) -> None:
        """Let no more fetches out, and none wait: outcomes may never come now."""
        self.stopped = True
        self._wake()

    def admit(self, article_id: str) -> Admission:
        """Whether a fetch of `article_id` may go out now."""
        if article_id in self.undecided or article_id in self.archived:
            return Admission.GO
        if self.reached or self.stopped:
            self.held += 1
            return Admission.REACHED
        if self.new + len(self.undecided) < self.limit:
            self.undecided.add(article_id)
            return Admission.GO
        return Admission.WAIT

    def decided(self, article_id: str, *, new: bool) -> None:
        """The outcome of a fetch is in: archived new (`new`), or anything else."""
        self.undecided.discard(article_id)
        self.new += new
        self._wake()

    def _wake(self) -> None:
        # Every waiting fetch asks again: there may be room now, or the limit is reached.
        self._decided.set()
        self._decided = asyncio.Event()

    async def wait(self) -> None:
        """Until the next fetch is decided."""
        await self._decided.wait()
