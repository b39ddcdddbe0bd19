"""The related-article graph as CSV (its edges) or GraphML (nodes and edges)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import XMLGenerator

from crawler.export.cells import cell_writer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crawler.archive.store import GraphEdge, GraphNode

EDGE_FIELDS = [
    "site",
    "source_id",
    "source_title",
    "target_id",
    "target_title",
    "position",
    "target_archived",
]


def write_edges_csv(edges: Iterable[GraphEdge], out: IO[str], *, raw: bool = False) -> int:
    """One row an edge; `target_archived` says whether the target is in the archive.

    Formula-like titles are neutralised for spreadsheets (crawler.export.cells) unless `raw`.
    """
    writer = cell_writer(out, raw=raw)
    writer.writerow(EDGE_FIELDS)
    count = 0
    for edge in edges:
        writer.writerow(
            [
                edge.site,
                edge.source_id,
                edge.source_title,
                edge.target_id,
                edge.target_title or "",
                edge.position,
                "true" if edge.target_archived else "false",
            ]
        )
        count += 1
    return count


def write_graphml(
    nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], out: IO[str]
) -> tuple[int, int]:
    """A directed GraphML graph, streamed: node ids are ``site/article_id``."""
    xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("graphml", {"xmlns": "http://graphml.graphdrawing.org/xmlns"})
    for key, domain, name, kind in (
        ("title", "node", "title", "string"),
        ("kind", "node", "kind", "string"),
        ("archived", "node", "archived", "boolean"),
        ("position", "edge", "position", "int"),
    ):
        xml.startElement("key", {"id": key, "for": domain, "attr.name": name, "attr.type": kind})
        xml.endElement("key")
    xml.startElement("graph", {"id": "related", "edgedefault": "directed"})
    node_count = edge_count = 0
    for node in nodes:
        xml.startElement("node", {"id": f"{node.site}/{node.article_id}"})
        _data(xml, "title", node.title)
        _data(xml, "kind", node.kind)
        _data(xml, "archived", "true" if node.archived else "false")
        xml.endElement("node")
        node_count += 1
    for edge in edges:
        source, target = f"{edge.site}/{edge.source_id}", f"{edge.site}/{edge.target_id}"
        xml.startElement("edge", {"source": source, "target": target})
        _data(xml, "position", str(edge.position))
        xml.endElement("edge")
        edge_count += 1
    xml.endElement("graph")
    xml.endElement("graphml")
    xml.endDocument()
    return node_count, edge_count


def _data(xml: XMLGenerator, key: str, value: str | None) -> None:
    if value is None:
        return
    xml.startElement("data", {"key": key})
    xml.characters(value)
    xml.endElement("data")
