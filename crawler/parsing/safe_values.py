"""Every value of a record made safe for the archive: by rule, in one place.

A page is hostile input. Whatever the parser makes of it, the record handed
to the archive must be storable on SQLite and PostgreSQL alike, or one odd
value fails a whole batch (and every later run, which fetches the same page
first). `make_safe` walks a record (any dataclass, nested ones included) and
applies the rule its field's type calls for (see the annotations in
crawler.items), so a field added to `Article` later is covered without
touching this module:

- text (`str` anywhere, in lists and dicts too): NUL removed, lone
  surrogates replaced by U+FFFD (PostgreSQL text and UTF-8 refuse both);
  text over its column's `MaxLength` cut, with a warning;
- integers: one that does not fit its column (32 bits unless marked
  `IntegerBits(64)`) becomes null, with a warning;
- timestamps (`TimestampMark`): one that does not read as an ISO 8601
  instant (or, where marked, a bare date) within `PLAUSIBLE_DATES` becomes
  null, with a warning (the parser already takes such a date for none and
  tries its next source: this is the backstop for any record);
- article ids (`ArticleIdMark`): one longer than `ARTICLE_ID_MAX_LENGTH` is
  invalid: a list entry holding it (a related link) is left out, with a
  warning; the record's own id makes the record invalid (`InvalidRecord`).
"""

from __future__ import annotations

import dataclasses
import re
import sys
import types
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin, get_type_hints

from crawler.items import (
    ARTICLE_ID_MAX_LENGTH,
    ArticleIdMark,
    IntegerBits,
    MaxLength,
    TimestampMark,
)
from crawler.parsing.dates import PLAUSIBLE_DATES

if TYPE_CHECKING:
    from collections.abc import Callable

_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_BARE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidRecord(ValueError):
    """The record cannot be archived at all (its own id is invalid)."""


class _Refused(ValueError):
    """A value the archive cannot keep in any form; its record or list entry goes."""


def make_safe(record: Any) -> list[str]:
    """Make every value of `record` storable, in place; return the warnings it took.

    Raises InvalidRecord when the record itself cannot be archived.
    """
    warnings: list[str] = []
    try:
        _record_rule(type(record))(record, "", warnings)
    except _Refused as refused:
        raise InvalidRecord(str(refused)) from None
    return warnings


def safe_text(value: str) -> str:
    """`value` without NUL, its lone surrogates replaced (a valid pair becomes its character)."""
    if _UNSAFE_TEXT.search(value) is None:
        return value
    mended = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return mended.replace("\x00", "")


# -- rules, built once per type --------------------------------------------------------


_TEXT, _INTEGER, _OTHER = 0, 1, 2


@cache
def _record_rule(cls: type) -> Callable[[Any, str, list[str]], Any]:
    hints = get_type_hints(cls, include_extras=True)
    fields = [
        (f.name, *_fast_path(hints[f.name]), _rule(hints[f.name])) for f in dataclasses.fields(cls)
    ]
    search = _UNSAFE_TEXT.search

    def check(record: Any, path: str, warnings: list[str]) -> Any:
        for name, kind, low, high, rule in fields:
            value = getattr(record, name)
            if value is None:
                continue
            # Most values are fine: tell so without a call (this runs on every page).
            if kind == _TEXT:
                if type(value) is str and low <= len(value) <= high and search(value) is None:
                    continue
            elif kind == _INTEGER and type(value) is int and low <= value <= high:
                continue
            safe = rule(value, f"{path}{name}", warnings)
            if safe is not value:
                setattr(record, name, safe)
        return record

    return check


def _fast_path(hint: Any) -> tuple[int, int, int]:
    """(kind, low, high): a text of `low` to `high` characters, or an integer within
    [low, high], that `_record_rule` may pass without calling the field's rule."""
    args = [arg for arg in get_args(hint) if arg is not type(None)]
    if get_origin(hint) in (Union, types.UnionType) and len(args) == 1:
        hint = args[0]
    marks: tuple[Any, ...] = ()
    if get_origin(hint) is Annotated:
        hint, *extra = get_args(hint)
        marks = tuple(extra)
    if any(isinstance(m, TimestampMark) for m in marks):
        return _OTHER, 0, 0
    if any(isinstance(m, ArticleIdMark) for m in marks):
        return _TEXT, 1, ARTICLE_ID_MAX_LENGTH
    if hint is str:
        length = next((m.characters for m in marks if isinstance(m, MaxLength)), sys.maxsize)
        return _TEXT, 0, length
    if hint is int:
        bits = next((m.bits for m in marks if isinstance(m, IntegerBits)), 32)
        return _INTEGER, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return _OTHER, 0, 0


def _rule(hint: Any, *, nullable: bool = False) -> Callable[[Any, str, list[str]], Any]:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _annotated_rule(args[0], args[1:], nullable=nullable)
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        nullable = nullable or len(kinds) < len(args)
        return _rule(kinds[0], nullable=nullable) if len(kinds) == 1 else _any_rule
    if origin is list:
        return _list_rule(_rule(args[0]) if args else _any_rule)
    if origin is dict:
        return _dict_rule(_rule(args[1]) if args else _any_rule)
    if hint is str:
        return _text_rule
    if hint is int:
        return _integer_rule(32, nullable=nullable)
    if dataclasses.is_dataclass(hint):
        return _nested_rule(hint)
    return _any_rule


def _annotated_rule(
    base: Any, marks: tuple[Any, ...], *, nullable: bool
) -> Callable[[Any, str, list[str]], Any]:
    length = next((m.characters for m in marks if isinstance(m, MaxLength)), None)
    if any(isinstance(m, ArticleIdMark) for m in marks):
        return _article_id_rule
    stamp = next((m for m in marks if isinstance(m, TimestampMark)), None)
    if stamp is not None:
        return _timestamp_rule(length, dates=stamp.dates)
    bits = next((m.bits for m in marks if isinstance(m, IntegerBits)), None)
    if bits is not None:
        return _integer_rule(bits, nullable=nullable)
    if base is str and length is not None:
        return _bounded_text_rule(length)
    return _rule(base, nullable=nullable)


def _any_rule(value: Any, path: str, warnings: list[str]) -> Any:
    """A value whose type the annotation leaves open: by what it is."""
    if isinstance(value, str):
        return _text_rule(value, path, warnings)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _integer_rule(64, nullable=True)(value, path, warnings)
    if isinstance(value, list):
        return _list_rule(_any_rule)(value, path, warnings)
    if isinstance(value, dict):
        return _dict_rule(_any_rule)(value, path, warnings)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record_rule(type(value))(value, f"{path}.", warnings)
    return value


def _text_rule(value: Any, path: str, warnings: list[str]) -> Any:
    if not isinstance(value, str) or _UNSAFE_TEXT.search(value) is None:
        return value
    warnings.append(f"unsafe_text: {path}: NUL or lone surrogates replaced")
    return safe_text(value)


def _bounded_text_rule(length: int) -> Callable[[Any, str, list[str]], Any]:
    def check(value: Any, path: str, warnings: list[str]) -> Any:
        value = _text_rule(value, path, warnings)
        if isinstance(value, str) and len(value) > length:
            warnings.append(f"text_too_long: {path}: {len(value)} characters, cut to {length}")
            return value[:length]
        return value

    return check


@cache
def _integer_rule(bits: int, *, nullable: bool) -> Callable[[Any, str, list[str]], Any]:
    """Out of range: null where the field may be null, else the nearest bound."""
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(value: Any, path: str, warnings: list[str]) -> Any:
        if not isinstance(value, int) or low <= value <= high:
            return value
        kept = None if nullable else min(max(value, low), high)
        warnings.append(f"number_out_of_range: {path}: {_short(value)} (kept as {kept})")
        return kept

    return check


@cache
def _timestamp_rule(length: int | None, *, dates: bool) -> Callable[[Any, str, list[str]], Any]:
    def check(value: Any, path: str, warnings: list[str]) -> Any:
        try:
            if dates and isinstance(value, str) and _BARE_DATE.fullmatch(value):
                moment = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            else:
                moment = datetime.fromisoformat(value)
            plausible = (
                moment.tzinfo is not None
                and PLAUSIBLE_DATES[0] <= moment <= PLAUSIBLE_DATES[1]
                and (length is None or len(value) <= length)
            )
        except (TypeError, ValueError, OverflowError):
            plausible = False
        if not plausible:
            warnings.append(f"implausible_date: {path}: {_short(value)} (not kept)")
            return None
        return value

    return check


def _article_id_rule(value: Any, path: str, warnings: list[str]) -> Any:
    if not isinstance(value, str) or not value or len(value) > ARTICLE_ID_MAX_LENGTH:
        raise _Refused(f"invalid_id: {path}: {_short(value)}")
    if _UNSAFE_TEXT.search(value) is not None:
        raise _Refused(f"invalid_id: {path}: {_short(value)}")
    return value


def _nested_rule(cls: type) -> Callable[[Any, str, list[str]], Any]:
    def check(value: Any, path: str, warnings: list[str]) -> Any:
        return _record_rule(cls)(value, f"{path}.", warnings)

    return check


def _list_rule(element: Callable[[Any, str, list[str]], Any]) -> Callable[..., Any]:
    def check(values: Any, path: str, warnings: list[str]) -> Any:
        if not isinstance(values, list):
            return values
        kept = []
        for n, value in enumerate(values):
            if value is None:
                kept.append(value)
                continue
            try:
                kept.append(element(value, f"{path}[{n}]", warnings))
            except _Refused as refused:
                warnings.append(f"{refused} (left out)")
        if len(kept) == len(values) and all(a is b for a, b in zip(kept, values, strict=True)):
            return values
        return kept

    return check


def _dict_rule(element: Callable[[Any, str, list[str]], Any]) -> Callable[..., Any]:
    def check(values: Any, path: str, warnings: list[str]) -> Any:
        if not isinstance(values, dict):
            return values
        safe = {}
        for key, value in values.items():
            safe_key = _text_rule(key, f"{path} key", warnings)
            try:
                safe[safe_key] = (
                    None if value is None else element(value, f"{path}[{key!r}]", warnings)
                )
            except _Refused as refused:
                warnings.append(f"{refused} (left out)")
        return safe

    return check


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
