"""Article records as JSON lines, CSV or Parquet, written as they stream in.

Every writer takes an iterator and holds one record (Parquet: one row group)
at a time, so an export of a million articles runs in constant memory.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from crawler import items
from crawler.export.cells import cell_writer

if TYPE_CHECKING:
    from collections.abc import Iterable

FIELDS = [f.name for f in dataclasses.fields(items.Article)]
_NESTED = {"subheadings", "images", "related", "authors", "field_sources"}
PARQUET_ROW_GROUP = 5000


def write_jsonl(articles: Iterable[items.Article], out: IO[str]) -> int:
    count = 0
    for article in articles:
        out.write(json.dumps(dataclasses.asdict(article), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[items.Article], out: IO[str], *, raw: bool = False) -> int:
    """One row an article; the list and mapping fields (subheadings, images, …) as JSON.

    Formula-like text is neutralised for spreadsheets (crawler.export.cells) unless `raw`.
    """
    writer = cell_writer(out, raw=raw)
    writer.writerow(FIELDS)
    count = 0
    for article in articles:
        row = csv_row(article)
        writer.writerow([row[name] for name in FIELDS])
        count += 1
    return count


def csv_row(article: items.Article) -> dict[str, Any]:
    """An article as a CSV row: its fields in order, the list fields as JSON text."""
    row = dataclasses.asdict(article)
    for name in _NESTED:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    return row


def write_parquet(articles: Iterable[items.Article], out: IO[bytes]) -> int:
    """Parquet with the record's own nesting: images and related links as lists of structs."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "parquet export needs pyarrow: pip install '.[parquet]' in a checkout of news-archive"
        ) from None
    schema = _parquet_schema(pa)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for article in articles:
            batch.append(_parquet_row(article))
            if len(batch) == PARQUET_ROW_GROUP:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _parquet_row(article: items.Article) -> dict[str, Any]:
    row = dataclasses.asdict(article)
    for name in ("published_at", "first_seen_at", "fetched_at", "changed_at"):
        row[name] = datetime.fromisoformat(row[name]) if row[name] else None
    row["field_sources"] = list(row["field_sources"].items())
    return row


def _parquet_schema(pa: Any) -> Any:
    timestamp = pa.timestamp("us", tz="UTC")
    return pa.schema(
        [
            ("site", pa.string()),
            ("article_id", pa.string()),
            ("url", pa.string()),
            ("language", pa.string()),
            ("title", pa.string()),
            ("kind", pa.string()),
            ("published_at", timestamp),
            ("published_local", pa.string()),
            ("lead", pa.string()),
            ("body", pa.string()),
            ("subheadings", pa.list_(pa.string())),
            ("desk_code", pa.string()),
            ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))),
            (
                "related",
                pa.list_(
                    pa.struct(
                        [
                            ("article_id", pa.string()),
                            ("title", pa.string()),
                            ("sort", pa.int64()),
                            ("content_type_id", pa.int64()),
                            ("media_url", pa.string()),
                            ("kind", pa.string()),
                            ("position", pa.int32()),
                        ]
                    )
                ),
            ),
            ("related_complete", pa.bool_()),
            ("word_count", pa.int32()),
            ("content_hash", pa.string()),
            ("authors", pa.list_(pa.string())),
            ("field_sources", pa.map_(pa.string(), pa.string())),
            ("version", pa.int32()),
            ("first_seen_at", timestamp),
            ("fetched_at", timestamp),
            ("changed_at", timestamp),
        ]
    )
