"""Articles as a pandas DataFrame, where pandas is installed (the ``pandas`` extra)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from news_archive.records import Article

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas

COLUMNS = [field.name for field in dataclasses.fields(Article)]
TIMES = ("published_at", "first_seen_at", "fetched_at", "changed_at")
MISSING = (
    "to_dataframe() needs pandas, which is not installed: pip install pandas, or the"
    " archive's pandas extra (pip install '.[pandas]' in a checkout of news-archive)"
)


def articles_frame(articles: Iterable[Article]) -> pandas.DataFrame:
    """One row an article, a column a field (images and related as lists of dicts); the
    times as UTC datetimes, so an empty selection has the same columns and types."""
    try:
        import pandas
    except ImportError:
        raise ImportError(MISSING) from None
    rows = [dataclasses.asdict(article) for article in articles]
    frame = pandas.DataFrame.from_records(rows, columns=COLUMNS)
    for column in TIMES:
        # Microseconds, as Python's datetimes: the same type whatever the rows (or none).
        frame[column] = pandas.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame
