"""Queries on a parsed page as parsel reads them, without a Selector for each match.

parsel wraps every node a query finds in a `Selector` and rebuilds its
namespaces for every query; a page's rules, metadata and body run dozens of
queries, so in the archive worker that wrapping cost more than the queries
themselves. These run the same XPath (a CSS rule translated by parsel's own
translator) on the lxml nodes directly and give the same strings.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from lxml import etree
from parsel.csstranslator import css2xpath

if TYPE_CHECKING:
    from collections.abc import Iterator


@cache
def xpath(query: str) -> etree.XPath:
    """`query` compiled once; its strings plain `str`, as parsel gives them."""
    return etree.XPath(query, smart_strings=False)


@cache
def css(rule: str) -> etree.XPath:
    """A CSS rule (parsel's ``::attr(…)`` and ``::text`` included) as parsel translates it."""
    return xpath(css2xpath(rule))


_STRING = xpath("string()")


def string(node: Any) -> str:
    """The node's string value (``xpath("string()").get()`` of its Selector)."""
    return str(_STRING(node))


def strings(found: list[Any]) -> Iterator[str]:
    """The string value of each element found, as ``.xpath("string()")`` of a SelectorList
    gives them (a string found, an attribute's, has none)."""
    return (string(node) for node in found if isinstance(node, etree._Element))


def first(found: list[Any]) -> str | None:
    """The first of a query's string results (text nodes, attributes) as a SelectorList's
    ``.get()`` gives it, or None; not for elements, which ``.get()`` serialises."""
    return str(found[0]) if found else None
