"""`news-archive datasette`: the archive in Datasette, checked first, with settings that suit it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.archive.database import redact
from crawler.archive.migrate import check_current

EXTRA = "pip install '.[datasette]' in a checkout of news-archive"

# Long bodies cut short in lists (an article's row shows the whole text);
# facets counted over a large archive rather than given up on; no facet
# suggestions, which cost a query a column on every page.
SETTINGS = {
    "truncate_cells_html": "300",
    "facet_time_limit_ms": "2000",
    "suggest_facets": "off",
}


class BrowseError(RuntimeError):
    """The archive cannot be opened in Datasette; the message says why and what to do."""


def list_address(url: str, *, host: str, port: int) -> str:
    """Where the archive's article list will be (Datasette names a database after its file)."""
    from datasette.utils import tilde_encode  # the extra is there: datasette_argv checked

    name = Path(make_url(url).database or "").stem
    return f"http://{host}:{port}/{tilde_encode(name)}/article_list"


def datasette_argv(url: str, *, host: str, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    """The `datasette serve` command line for this archive, after checking it can work."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise BrowseError(
            f"Datasette reads SQLite files; {redact(url)} is not one "
            "(on PostgreSQL, query with the other commands or SQL)"
        )
    if importlib.util.find_spec("datasette") is None:
        raise BrowseError(f"Datasette is not installed: {EXTRA}")
    check_current(url)
    argv = [sys.executable, "-m", "datasette", "serve", str(Path(parsed.database))]
    argv += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        argv += ["--setting", name, value]
    return [*argv, *extra]
