"""Spider arguments (`-a NAME=VALUE`) checked by name.

Scrapy hands a spider whatever `-a` names it is given. A misspelt one
(`-a base-url=…`) would be ignored and the crawl would go on without it,
against the live site, so an argument the spider does not take stops the
crawl before it starts, naming the one meant.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable


class UnknownArgumentError(ValueError):
    pass


def refuse_unknown(spider: str, given: Iterable[str], known: Collection[str]) -> None:
    """Raise for a name in `given` that is not in `known`.

    Names that start with an underscore pass: scrapyd gives every job
    ``-a _job=ID`` (and ``_version``), whatever the spider takes.
    """
    for name in given:
        if name in known or name.startswith("_"):
            continue
        close = difflib.get_close_matches(name.replace("-", "_").lower(), known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UnknownArgumentError(
            f"the {spider} spider has no argument {name!r}{hint}; it takes {', '.join(known)}"
        )
