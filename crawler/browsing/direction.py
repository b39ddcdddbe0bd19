"""Which way a text a person reads runs: the ``dir`` of titles, bodies, captions, bylines.

An article in a language written right to left (Arabic, Persian, Urdu,
Hebrew, Pashto, …: Babel's CLDR data decides) is ``rtl`` whatever its first
letter, so a paragraph that opens with a Latin name still reads from the
right; any other text is ``auto``: the browser takes the direction of its
first strong letter, which is right for text of unknown or mixed language
(a table of many sites) and for a page that declared its language wrongly.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=256)
def text_direction(language: str | None) -> str:
    """``rtl`` for a BCP 47 language written right to left, else ``auto``."""
    if not language:
        return "auto"
    try:
        locale = Locale.parse(language.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return "auto"
    return "rtl" if locale.text_direction == "rtl" else "auto"
