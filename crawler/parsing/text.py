"""Text normalisation (ARTICLE-SCHEMA.md, rules 1 and 3)."""

from __future__ import annotations

import re
import unicodedata

# Python's \s already covers the Unicode spaces (no-break space included); the
# zero-width spaces are format characters, so they are listed here. They only
# say where a line may break or must not: as white space they become one space.
_ZERO_WIDTH_SPACES = "\u200b\u2060\ufeff"
# Part of the spelling of Persian, Kurdish and Urdu (رئیس‌جمهور, می‌یابد) and of
# emoji sequences: the non-joiner and the joiner stay where they join or part
# letters; beside a space they do nothing, so they go with it.
JOINERS = "\u200c\u200d"
# LRM, RLM and the Arabic letter mark set the direction of the space or digits
# beside them in mixed right-to-left text: kept between words, dropped at the ends.
BIDI_MARKS = "\u200e\u200f\u061c"
_SPACE = re.compile(rf"[\s{_ZERO_WIDTH_SPACES}]")
_SPACE_RUN = re.compile(rf"[\s{_ZERO_WIDTH_SPACES}]+")
_MARK = re.compile(f"[{JOINERS}{BIDI_MARKS}]")
_RUN = re.compile(rf"[\s{_ZERO_WIDTH_SPACES}{JOINERS}{BIDI_MARKS}]+")
_ENDS = f" {JOINERS}{BIDI_MARKS}"

_OPENING_QUOTES = ('"', "\u201c")


def normalise_text(text: str) -> str:
    """Rule 1: NFC, every run of white space as one space, ends stripped.

    A run that holds no white space (a joiner between two letters, an RLM
    after a number) is not white space: it stays, repeated marks once.
    """
    text = unicodedata.normalize("NFC", text)
    if _MARK.search(text) is None:  # most text: no joiner or mark to weigh, one pass in C
        return _SPACE_RUN.sub(" ", text).strip()
    return _RUN.sub(_folded_run, text).strip(_ENDS)


def _folded_run(match: re.Match[str]) -> str:
    run = match.group()
    spaces = [index for index, char in enumerate(run) if _SPACE.match(char)]
    if not spaces:
        return "".join(char for n, char in enumerate(run) if n == 0 or char != run[n - 1])
    before = _marks(run[: spaces[0]])
    after = _marks(run[spaces[-1] + 1 :])
    return f"{before} {after}"


def _marks(text: str) -> str:
    marks = ""
    for char in text:
        if char in BIDI_MARKS and not marks.endswith(char):
            marks += char
    return marks


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


# In a str pattern \d is any character of Unicode category Nd (a decimal digit of any script).
_ANY_DIGIT = re.compile(r"\d")


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic ١٦, Persian ۱۶, Devanagari १६, full-width １６) as 0-9."""
    if text.isascii():
        return text
    return _ANY_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit.group())), text)
