"""JSON in a page, decoded without letting its depth end the parse.

A page may nest its JSON deeper than Python's decoder can follow (the decoder
recurses: a hundred thousand ``[`` is enough). Such JSON is as unreadable as
broken JSON, and is treated the same: every decode of page data goes through
here and raises ValueError, never RecursionError, which would drop the page.
"""

from __future__ import annotations

import json
from typing import Any

_STRICT = json.JSONDecoder()
_LENIENT = json.JSONDecoder(strict=False)


class TooDeep(ValueError):
    """JSON nested deeper than Python's decoder can follow: unreadable, like broken JSON."""


def load_json(text: str, *, strict: bool = True) -> Any:
    """A whole JSON document, as `json.loads` reads it (`strict=False` allows raw control
    characters in strings). Raises ValueError; TooDeep when it is nested too deeply."""
    try:
        return (_STRICT if strict else _LENIENT).decode(text)
    except RecursionError:
        raise TooDeep from None


def decode_json(text: str, position: int) -> tuple[Any, int]:
    """The JSON value that starts at `position`, and where it ends (text may follow it).
    Raises ValueError; TooDeep when it is nested too deeply."""
    try:
        return _STRICT.raw_decode(text, position)
    except RecursionError:
        raise TooDeep from None
