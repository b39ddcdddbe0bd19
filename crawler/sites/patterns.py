"""A profile's regular expressions, matched in time linear in their input, over bounded input.

A profile is configuration someone else may have written, and Python's `re`
backtracks: ``^/news/((?:a+)+)(?:/|$)`` takes seconds on a 27-character path
and doubles with each character more. Every regular expression a profile
holds (``id_pattern``, ``desk_code_pattern``) is compiled here with RE2
(google-re2, Google's own binding), which never backtracks; a pattern that
needs what RE2 lacks for that reason (backreferences, lookaround) is refused
when the profile loads. What is matched is bounded too: a text longer than
`MATCH_MAX_LENGTH` (no article path, no desk code is) matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import re2

MATCH_MAX_LENGTH = 4096
"""The longest text a profile's pattern is matched against; longer text matches nothing."""

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal is ours to word, not the library's to print


class PatternError(ValueError):
    """A pattern RE2 cannot compile: a syntax error, or a feature that needs backtracking."""


@dataclass(frozen=True)
class ProfilePattern:
    """A compiled profile pattern: `match` and `fullmatch` as `re`'s, on bounded text."""

    pattern: str
    _compiled: Any

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    def match(self, text: str) -> Any:
        return None if len(text) > MATCH_MAX_LENGTH else self._compiled.match(text)

    def fullmatch(self, text: str) -> Any:
        return None if len(text) > MATCH_MAX_LENGTH else self._compiled.fullmatch(text)


def compile_pattern(pattern: str) -> ProfilePattern:
    """`pattern` compiled for linear-time matching; PatternError says why it cannot be."""
    try:
        return ProfilePattern(pattern, re2.compile(pattern, _OPTIONS))
    except re2.error as error:
        reason = error.args[0] if error.args else error
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(
            f"{text} (profile patterns are matched in linear time by RE2: "
            "no backreferences, no lookahead or lookbehind)"
        ) from None
