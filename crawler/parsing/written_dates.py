"""Dates written in words of a language and in a calendar: ``سه‌شنبه ۲۶ مرداد ۱۳۹۵ - ۱۷:۵۲``.

A profile's ``date_locale`` (BCP 47) names the language of ``%B %b %A %a %p``,
its ``calendar`` the calendar of ``%Y %m %d``. The names come from libraries
that keep them: Babel's CLDR data for the Gregorian months, weekdays and day
periods of every locale (for Arabic both the Levantine ``كانون الثاني … آب``
of ar-SY and the Egyptian/Gulf ``يناير … أغسطس`` of ar), jdatetime for the
Solar Hijri months, hijridate for the Umm al-Qura Hijri months; the same two
convert to the Gregorian date.

strptime cannot do this (its names are English, its days Gregorian: the 31st
of the sixth Solar Hijri month is no June day), so a format is read here as a
regular expression built from its directives, over the text folded as the
names are: digits of any script as ASCII, Arabic and Persian letter forms as
one, diacritics, tatweel and joiners left out, case ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from crawler.parsing.text import ascii_digits

if TYPE_CHECKING:
    from babel import Locale

_T = TypeVar("_T")

GREGORIAN = "gregorian"
PERSIAN = "persian"
ISLAMIC = "islamic"
CALENDARS = (GREGORIAN, PERSIAN, ISLAMIC)

# The directives a written date may use; %y is not one (a two-digit Solar Hijri
# year has no agreed century), nor %j, %U, %W, %c, %x, %X (their text is the C locale's).
_NUMBERS = {
    "Y": r"\d{4}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "z": r"z|[+-]\d{2}:?\d{2}",
}
_NAMES = ("B", "b", "A", "a", "p")
DIRECTIVES = frozenset((*_NUMBERS, *_NAMES, "%"))
_DIRECTIVE = re.compile(r"%(.)")
# Levantine and Iraqi Arabic name the Gregorian months as Syriac ones (كانون الثاني);
# Egypt and the Gulf write them as the European names (يناير). A page may use either.
_ALSO_READ = {"ar": ("ar", "ar_SY")}

# Arabic harakat, superscript alef and Quranic marks; tatweel; joiners and bidi marks.
_IGNORED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200e\u200f\u061c]")
_FOLDED = str.maketrans(
    {
        "\u0623": "\u0627",  # أ
        "\u0625": "\u0627",  # إ
        "\u0622": "\u0627",  # آ
        "\u0671": "\u0627",  # ٱ
        "\u064a": "\u06cc",  # Arabic yeh, as Persian
        "\u0649": "\u06cc",  # alef maksura
        "\u0643": "\u06a9",  # Arabic kaf, as Persian
        "\u0629": "\u0647",  # teh marbuta
        "\u060c": ",",  # Arabic comma
        "\u200c": " ",
        "\u200d": "",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """`text` as names are compared: one form of each letter, ASCII digits, single spaces."""
    text = ascii_digits(unicodedata.normalize("NFKC", text))
    text = _IGNORED.sub("", text).translate(_FOLDED)
    return _SPACES.sub(" ", text).strip().casefold()


class DateLocaleError(ValueError):
    """A ``date_locale`` Babel does not know."""


@dataclass(frozen=True)
class DateNames:
    """The words of one language and calendar, folded, each with what it stands for."""

    months: dict[str, int]
    weekdays: dict[str, int]
    """Monday 0, as datetime.weekday."""
    day_periods: dict[str, str]
    """``am`` or ``pm``."""


def check_locale(code: str) -> None:
    """Raise DateLocaleError unless Babel has CLDR data for BCP 47 `code`."""
    _locales(code)


def _locales(code: str) -> tuple[Locale, ...]:
    # Imported here: a crawl's process loads profiles, and reads no written dates.
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code, sep="-") if "-" in code else Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError) as error:
        problem = f"{code!r} is not a locale with CLDR data (e.g. fa, ar, ar-SY)"
        raise DateLocaleError(problem) from error
    also = [Locale.parse(name) for name in _ALSO_READ.get(locale.language, ())]
    return (locale, *[other for other in also if str(other) != str(locale)])


@cache
def date_names(code: str | None, calendar: str = GREGORIAN) -> DateNames:
    """Month, weekday and day-period names of locale `code` (None: English) in `calendar`."""
    locales = _locales(code or "en")
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    periods: dict[str, str] = {}
    for locale in locales:
        if calendar == GREGORIAN:
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    _add(months, locale.months[context][width].items())
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                _add(weekdays, locale.days[context][width].items())
                day_periods = locale.day_periods[context].get(width, {})
                _add(periods, ((p, day_periods[p]) for p in ("am", "pm") if p in day_periods))
    if calendar == PERSIAN:
        _add(months, _persian_months(locales[0].language))
    elif calendar == ISLAMIC:
        _add(months, _islamic_months(locales[0].language))
    return DateNames(months=months, weekdays=weekdays, day_periods=periods)


def _add(names: dict, pairs) -> None:  # type: ignore[no-untyped-def]
    for value, name in pairs:
        names.setdefault(fold(name).rstrip("."), value)


def _persian_months(language: str) -> list[tuple[int, str]]:
    import jdatetime

    names = jdatetime.date.j_months_fa if language in ("fa", "ps") else jdatetime.date.j_months_en
    return list(enumerate(names, start=1))


def _islamic_months(language: str) -> list[tuple[int, str]]:
    from hijridate import Hijri

    names = "ar" if language in ("ar", "fa", "ur", "ps") else "en"
    return [(month, Hijri(1445, month, 1).month_name(names)) for month in range(1, 13)]


@cache
def _pattern(fmt: str, code: str | None, calendar: str) -> re.Pattern[str]:
    names = date_names(code, calendar)
    choices = {
        "B": names.months,
        "b": names.months,
        "A": names.weekdays,
        "a": names.weekdays,
        "p": names.day_periods,
    }
    parts: list[str] = []
    position = 0
    seen: set[str] = set()
    for match in _DIRECTIVE.finditer(fmt):
        parts.append(_literal(fmt[position : match.start()]))
        position = match.end()
        directive = match.group(1)
        if directive == "%":
            parts.append("%")
            continue
        if directive not in DIRECTIVES:
            raise ValueError(f"%{directive} is not a directive of a written date")
        group = {"b": "B", "a": "A"}.get(directive, directive)
        if group in seen:
            raise ValueError(f"%{directive} is given twice")
        seen.add(group)
        if directive in choices:
            words = sorted(choices[directive], key=len, reverse=True)
            alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s*") for word in words)
            parts.append(rf"(?P<{group}>{alternatives})\.?")
        else:
            parts.append(rf"(?P<{group}>{_NUMBERS[directive]})")
    parts.append(_literal(fmt[position:]))
    return re.compile("".join(parts), re.IGNORECASE)


def _literal(text: str) -> str:
    # As strptime: white space in a format matches any run of it; the rest as written.
    pieces = [re.escape(fold(piece)) for piece in re.split(r"\s+", text)]
    return r"\s*".join(pieces) if len(pieces) > 1 else pieces[0]


def check_format(fmt: str, code: str | None, calendar: str) -> str | None:
    """Why `fmt` cannot read a written date, or None."""
    try:
        _pattern(fmt, code, calendar)
    except ValueError as error:
        return f"{fmt!r}: {error}"
    return None


def read_written_date(
    text: str, fmt: str, code: str | None, calendar: str
) -> datetime | date | None:
    """The moment (a date, when `fmt` has no hour) `text` writes in `fmt`; None if it does not.

    A date that its calendar does not have (the 30th of Esfand in a common
    year) is none. A weekday is read but not trusted over the date.
    """
    match = _pattern(fmt, code, calendar).fullmatch(fold(text))
    if match is None:
        return None
    values = match.groupdict()
    names = date_names(code, calendar)
    try:
        month = _named(names.months, values["B"]) if values.get("B") else int(values.get("m") or 1)
        day = _gregorian(int(values["Y"]), month, int(values.get("d") or 1), calendar)
    except (KeyError, ValueError, OverflowError):
        return None
    if not any(values.get(key) for key in ("H", "I")):
        return day
    try:
        moment = datetime.combine(day, _time(values, names))
    except ValueError:
        return None
    if values.get("z"):
        moment = moment.replace(tzinfo=_offset(values["z"]))
    return moment


def _named(names: dict[str, _T], written: str) -> _T:
    """What a name stands for, however the page spaced it (سه‌شنبه, سه شنبه, سهشنبه)."""
    compact = written.replace(" ", "").rstrip(".")
    for name, value in names.items():
        if name.replace(" ", "") == compact:
            return value
    raise ValueError(f"{written!r} is no name of this locale")


def _gregorian(year: int, month: int, day: int, calendar: str) -> date:
    if calendar == PERSIAN:
        import jdatetime

        return jdatetime.date(year, month, day).togregorian()
    if calendar == ISLAMIC:
        from hijridate import Hijri

        return Hijri(year, month, day).to_gregorian()
    return date(year, month, day)


def _time(values: dict[str, str | None], names: DateNames) -> time:
    minute, second = int(values.get("M") or 0), int(values.get("S") or 0)
    if values.get("H"):
        return time(int(values["H"] or 0), minute, second)
    hour = int(values["I"] or 0)
    if not 1 <= hour <= 12:
        raise ValueError("%I is 1 to 12")
    period = _named(names.day_periods, values["p"]) if values.get("p") else "am"
    return time(hour % 12 + (12 if period == "pm" else 0), minute, second)


def _offset(text: str) -> timezone:
    if text.casefold() == "z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# How pages write a day in words, in the order tried: "16 August 2016", "August 16, 2016",
# "16. August 2016" (German, Nordic), "16 August, 2016", and CJK "2016年8月16日".
WRITTEN_DAY_FORMATS = ("%d %B %Y", "%B %d, %Y", "%d. %B %Y", "%d %B, %Y", "%Y年%m月%d日")


def search_written_day(text: str, code: str) -> date | None:
    """The first day written in words of locale `code` inside `text` (a byline, a date line)."""
    folded = fold(text)
    for fmt in WRITTEN_DAY_FORMATS:
        pattern = _pattern(fmt, code, GREGORIAN)
        for match in re.finditer(rf"(?<!\w)(?:{pattern.pattern})(?!\d)", folded, re.IGNORECASE):
            day = read_written_date(match.group(), fmt, code, GREGORIAN)
            if isinstance(day, date):
                return day
    return None
