"""A search hit's snippet: the passage of its text that holds the query's words, marked.

The index reads a normalised text (`search_text`), which is not what a reader
should see (stems, folded letters), so the snippet is made here from the
article's own text, on both databases alike: each word of the text is read
as the index reads it and compared with the query's words read the same way.
Words in Latin and other scripts the engines stem themselves are compared by
their Porter stem, as FTS5 indexes them, so `bombers` marks `bomber`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import snowballstemmer

from crawler.archive.search_text import index_text, is_arabic_script

if TYPE_CHECKING:
    from collections.abc import Iterable

WORDS = 24
"""Words in a snippet, as FTS5's snippet() was asked for."""
ELLIPSIS = "…"
_TOKEN = re.compile(r"[\w\u064b-\u065f\u0670\u0640\u200c]+")
_local = threading.local()


def snippet(
    title: str,
    body: str,
    language: str,
    words: Iterable[str],
    prefixes: Iterable[str] = (),
    mark: tuple[str, str] = ("\x02", "\x03"),
) -> str:
    """The passage of `body` (else `title`) with most of `words`, each match between `mark`.

    `words` and `prefixes` are the query's keys (`query_keys`): a word of the text
    matches when its key is one of `words` or begins with one of `prefixes`.
    """
    wanted, starts = set(words), tuple(prefixes)
    for text in (body, title):
        passage = _best_passage(text, language, wanted, starts, mark)
        if passage is not None:
            return passage
    tokens = list(_TOKEN.finditer(body))
    if not tokens:
        return body
    end = tokens[min(WORDS, len(tokens)) - 1].end()
    return body[:end] + (ELLIPSIS if len(tokens) > WORDS else "")


def query_keys(forms: Iterable[str], *, prefix: bool = False) -> set[str]:
    """The keys of a query term's forms (`search_text.query_forms`)."""
    keys = set()
    for form in forms:
        for word in form.split():
            if _TOKEN.fullmatch(word):
                keys.add(_plain(word) if prefix else _key(word))
    return keys


def _best_passage(
    text: str, language: str, wanted: set[str], starts: tuple[str, ...], mark: tuple[str, str]
) -> str | None:
    tokens = list(_TOKEN.finditer(text))
    words = [token.group() for token in tokens]
    # Each distinct word is read once: a text repeats most of its words.
    found = {word for word in set(words) if _matches(word, language, wanted, starts)}
    if not found:
        return None
    matched = [word in found for word in words]
    counts = [0]  # counts[i]: matches among the first i words
    for hit in matched:
        counts.append(counts[-1] + hit)
    last_start = max(0, len(tokens) - WORDS)
    best_start, best_count = 0, -1
    for index, hit in enumerate(matched):
        if not hit:
            continue
        start = min(max(0, index - 2), last_start)  # a little of what leads to the first match
        count = counts[min(start + WORDS, len(tokens))] - counts[start]
        if count > best_count:
            best_start, best_count = start, count
    window = range(best_start, min(best_start + WORDS, len(tokens)))
    parts = [ELLIPSIS] if best_start > 0 else []
    position = tokens[window.start].start() if best_start > 0 else 0
    for index in window:
        token = tokens[index]
        parts.append(text[position : token.start()])
        parts.append(f"{mark[0]}{token.group()}{mark[1]}" if matched[index] else token.group())
        position = token.end()
    parts.append(ELLIPSIS if window.stop < len(tokens) else text[position:])
    return "".join(parts)


def _matches(word: str, language: str, wanted: set[str], starts: tuple[str, ...]) -> bool:
    keys, plains = _word_keys(word, language)
    if not wanted.isdisjoint(keys):
        return True
    return bool(starts) and any(plain.startswith(starts) for plain in plains)


@lru_cache(maxsize=1 << 16)
def _word_keys(word: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word of the text: its keys, and its plain forms (for prefixes), as the index reads it."""
    indexed = index_text(word, language).split()
    return tuple(_key(part) for part in indexed), tuple(_plain(part) for part in indexed)


def _plain(word: str) -> str:
    """Lower case, without the diacritics of Latin letters (as unicode61 reads them)."""
    if is_arabic_script(word):
        return word
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _key(word: str) -> str:
    plain = _plain(word)
    if is_arabic_script(plain):
        return plain
    stemmer = getattr(_local, "porter", None)
    if stemmer is None:
        stemmer = _local.porter = snowballstemmer.stemmer("porter")
    return str(stemmer.stemWord(plain))
