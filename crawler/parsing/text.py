"""Text normalisation (ARTICLE-SCHEMA.md, rules 1 and 3)."""

from __future__ import annotations

import re
import unicodedata

# Python's \s already covers the Unicode spaces (no-break space included); the
# zero-width characters are format characters, so they are listed here.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_RUN = re.compile(rf"[\s{_ZERO_WIDTH}]+")

_OPENING_QUOTES = ('"', "\u201c")


def normalise_text(text: str) -> str:
    """Rule 1: NFC, every run of white space as one space, ends stripped."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", text)).strip()


def strip_quote_artefact(paragraph: str) -> str:
    """Rule 3: drop the stray straight quotes the site wraps around some quotes.

    Only a paragraph that opens with a straight quote followed by another
    quotation mark, and closes with a straight quote, loses that outer pair.
    """
    if (
        len(paragraph) >= 2
        and paragraph[0] == '"'
        and paragraph[1] in _OPENING_QUOTES
        and paragraph[-1] == '"'
    ):
        return paragraph[1:-1].strip()
    return paragraph
