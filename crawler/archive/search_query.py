"""What a researcher types into `search`, read into a query both engines can run.

The syntax is small and forgiving:

    Hamedan bombers        both words (in title or body)
    "air base"             the phrase
    Hamed*                 words beginning with Hamed
    Iran OR Russia         either
    -Daesh / NOT Daesh     not this word

Everything else is text: an unbalanced quote runs to the end of the query,
stray operators and punctuation are searched as the words they hold, or
dropped. A query with nothing left to search for is an error, and so is a
pathological one: longer than `MAX_QUERY_LENGTH` characters or with more than
`MAX_TERMS` terms (each term is work for the database, and a query of
hundreds is a script gone wrong, not a question).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_WORDLIKE = re.compile(r"\w", re.UNICODE)

MAX_QUERY_LENGTH = 2000
"""Characters in a query; a paragraph's worth of phrases."""
MAX_TERMS = 50
"""Words and phrases in a query, over all its alternatives."""


class QueryError(ValueError):
    """A query with nothing to search for; the message says why."""


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False
    negated: bool = False


@dataclass
class Query:
    alternatives: list[list[Term]] = field(default_factory=list)
    """Terms joined by AND within a list, lists joined by OR."""


def parse_query(text: str) -> Query:
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_LENGTH:,} are "
            "searched: use fewer words, and --since, --until, --site or --kind to narrow"
        )
    query = Query()
    group: list[Term] = []
    negate_next = False
    for match in _TOKEN.finditer(text):
        phrase, word = match.group("phrase"), match.group("word")
        if phrase is not None:
            if _WORDLIKE.search(phrase):
                group.append(Term(" ".join(phrase.split()), phrase=True, negated=negate_next))
            negate_next = False
            continue
        if word == "OR":
            _close(group, query)
            group = []
            continue
        if word in ("AND", "NOT"):
            negate_next = negate_next or word == "NOT"
            continue
        negated = negate_next or (word.startswith("-") and len(word) > 1)
        negate_next = False
        word = word.lstrip("-")
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if _WORDLIKE.search(word):
            group.append(Term(word, prefix=prefix, negated=negated))
    _close(group, query)
    if not query.alternatives:
        raise QueryError(f"nothing to search for in {text!r}: give at least one word")
    terms = sum(len(group) for group in query.alternatives)
    if terms > MAX_TERMS:
        raise QueryError(
            f"the query has {terms} words and phrases; at most {MAX_TERMS} are searched: use "
            "fewer, and --since, --until, --site or --kind to narrow"
        )
    return query


def _close(group: list[Term], query: Query) -> None:
    if not group:
        return
    if all(term.negated for term in group):
        excluded = " ".join(term.text for term in group)
        raise QueryError(f"a search needs a word to find, not only words to exclude ({excluded})")
    query.alternatives.append(group)
