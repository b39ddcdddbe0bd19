"""CSV cells a spreadsheet opens as text: every CSV the archive writes goes through here.

Archived text is written by whoever wrote the page. A spreadsheet runs a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula: ``=HYPERLINK(…)`` or ``+cmd|' /C calc'!A0`` from a
page is code on the journalist's machine. OWASP's rule (CSV injection) is
applied to each cell: such text gets a leading ``'``, which spreadsheets show
as text and do not run; a cell that is wholly a number (``-5``, ``+1.5e3``)
stays as it is. `raw` writes the text untouched, for programs that read the
file (``--raw-csv``, the ARCHIVE_CSV_RAW setting for feed exports).
"""

from __future__ import annotations

import csv
import re
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a spreadsheet reads it as text: formula-like text prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class CellWriter:
    """A csv writer's rows with each cell made `spreadsheet_cell`, unless `raw`."""

    def __init__(self, writer: Any, *, raw: bool = False) -> None:
        self._writer = writer
        self._raw = raw

    def writerow(self, row: Iterable[Any]) -> Any:
        if self._raw:
            return self._writer.writerow(row)
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def cell_writer(out: IO[str], *, raw: bool = False) -> CellWriter:
    """The one way the archive writes CSV: `csv.writer` behind `CellWriter`."""
    return CellWriter(csv.writer(out), raw=raw)
