"""A little disk space kept beside an SQLite archive, so that a run on a disk that fills up
can still close its row.

A run that stops because its disk is full must still say so in its row: a
row left `running` tells the next reader (and `stats`) that a dead run is
alive. Closing the row writes to the same full disk, so the run keeps
`SIZE` bytes in a file beside the database from its start (before its row;
a disk without that much room does not start a run), and lets them go
just before it closes its row if the disk has filled up. PostgreSQL's disk
is the server's: nothing is kept there.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

SIZE = 256 * 1024
"""Room for SQLite to write the row's page to its write-ahead log a few times over."""


class DiskReserve:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        database = parsed.database if parsed.get_backend_name() == "sqlite" else None
        self.path = Path(f"{database}-reserve") if database and database != ":memory:" else None

    def take(self) -> bool:
        """Set the space aside; False if the disk has not even that much room.

        Taken before the run writes anything (its row first), so that nothing the
        run or its worker writes can leave it without the room to close that row.
        """
        if self.path is None:
            return True
        try:
            with self.path.open("wb") as handle:
                handle.write(bytes(SIZE))
        except OSError:
            self.path.unlink(missing_ok=True)
            return False
        return True

    def give_back(self) -> bool:
        """Free the space; whether there was any to free."""
        if self.path is None or not self.path.exists():
            return False
        self.path.unlink(missing_ok=True)
        return True
