"""Dates as Arabic and Persian pages write them: digits of any script, month and weekday
names of the profile's `date_locale`, the Solar Hijri and Umm al-Qura calendars."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.parsing.article import parse_article
from crawler.parsing.dates import read_local_date
from crawler.sites.loader import ProfileError
from tests.profiles import HEAD, profile_from_toml

TEHRAN = ZoneInfo("Asia/Tehran")
BEIRUT = ZoneInfo("Asia/Beirut")
FETCHED = datetime(2026, 11, 30, tzinfo=UTC)


def read(text, formats=(), zone=TEHRAN, **language):
    return read_local_date(text, formats, zone, fetched_at=FETCHED, **language)


# -- digits of any script ------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "٢٠١٦-٠٨-١٦",  # Arabic-Indic
        "۲۰۱۶-۰۸-۱۶",  # Persian
        "२०१६-०८-१६",  # Devanagari
        "２０１６-０８-１６",  # full-width
    ],
)
def test_an_iso_date_in_digits_of_any_script_is_read(written):
    assert read(written).value.published_local == "2016-08-16"


def test_a_strptime_format_reads_digits_of_any_script():
    reading = read("١٦/٠٨/٢٠١٦ ١٧:٥٢", ("%d/%m/%Y %H:%M",))

    assert reading.value.published_local == "2016-08-16T17:52:00+04:30"


# -- names of a locale ------------------------------------------------------------------------


def test_persian_weekday_and_solar_hijri_month_in_tehran_summer_time():
    reading = read(
        "سه‌شنبه ۲۶ مرداد ۱۳۹۵ - ۱۷:۵۲",
        ("%A %d %B %Y - %H:%M",),
        date_locale="fa",
        calendar="persian",
    )

    assert reading.value.published_local == "2016-08-16T17:52:00+04:30"  # Iran's DST then
    assert reading.value.published_at == "2016-08-16T13:22:00+00:00"


def test_a_persian_weekday_is_read_with_a_space_or_nothing_for_its_non_joiner():
    for weekday in ("سه شنبه", "سهشنبه"):
        reading = read(
            f"{weekday} ۲۶ مرداد ۱۳۹۵", ("%A %d %B %Y",), date_locale="fa", calendar="persian"
        )

        assert reading.value.published_local == "2016-08-16"


def test_the_last_day_of_a_31_day_solar_hijri_month_is_a_day():
    reading = read("۳۱ شهریور ۱۳۹۵", ("%d %B %Y",), date_locale="fa", calendar="persian")

    assert reading.value.published_local == "2016-09-21"


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("١٦ آب ٢٠١٦", "2016-08-16"),  # Levantine
        ("16 أغسطس 2016", "2016-08-16"),  # Egyptian and Gulf
        ("٣ كانون الأول ٢٠١٦", "2016-12-03"),
        ("٣ كانون الثاني ٢٠١٦", "2016-01-03"),
        ("3 ديسمبر 2016", "2016-12-03"),
        ("٣ ايار ٢٠١٦", "2016-05-03"),  # أيار written without its hamza
    ],
)
def test_arabic_months_are_read_in_both_their_levantine_and_egyptian_names(written, day):
    assert read(written, ("%d %B %Y",), date_locale="ar").value.published_local == day


def test_an_arabic_afternoon_time_with_its_day_period_in_beirut_summer_time():
    reading = read(
        "الثلاثاء ١٦ آب ٢٠١٦ ٠٥:٥٢ م", ("%A %d %B %Y %I:%M %p",), BEIRUT, date_locale="ar"
    )

    assert reading.value.published_local == "2016-08-16T17:52:00+03:00"


def test_an_umm_al_qura_date_is_read_as_its_gregorian_day():
    reading = read("١٣ ذو القعدة ١٤٣٧", ("%d %B %Y",), date_locale="ar", calendar="islamic")

    assert reading.value.published_local == "2016-08-16"


def test_a_day_its_calendar_does_not_have_is_no_date():
    reading = read("۳۲ مرداد ۱۳۹۵", ("%d %B %Y",), date_locale="fa", calendar="persian")

    assert reading.value is None
    assert reading.warning.startswith("unparseable_date")


# -- the profile --------------------------------------------------------------------------------

PERSIAN_FIELDS = """
[fields]
title = ["h1"]
published = ["div.news-date"]
date_locale = "fa"
calendar = "persian"
date_formats = ["%A %d %B %Y - %H:%M", "%d %B %Y - %H:%M"]
"""


def test_a_profile_with_date_locale_and_calendar_reads_its_pages_dates():
    profile = profile_from_toml(PERSIAN_FIELDS, head=HEAD.replace("Europe/London", "Asia/Tehran"))
    html = (
        "<html><body><h1>عنوان</h1><div class='news-date'>سه‌شنبه ۲۶ مرداد ۱۳۹۵ - ۱۷:۵۲</div>"
        "<p>متن</p></body></html>"
    )

    article = parse_article(html, "https://news.test/news/1", profile, fetched_at=FETCHED).article

    assert article.published_at == "2016-08-16T13:22:00+00:00"
    assert article.field_sources["published"] == "css"


def test_an_unknown_date_locale_is_a_load_error():
    with pytest.raises(ProfileError, match=r"fields\.date_locale: 'xx-nowhere' is not a locale"):
        profile_from_toml(PERSIAN_FIELDS.replace('"fa"', '"xx-nowhere"'))


def test_an_unknown_calendar_is_a_load_error():
    with pytest.raises(ProfileError, match=r"fields\.calendar: 'julian' is not one of gregorian"):
        profile_from_toml(PERSIAN_FIELDS.replace('"persian"', '"julian"'))


def test_a_directive_a_written_date_cannot_read_is_a_load_error():
    with pytest.raises(ProfileError, match=r"fields\.date_formats\[0\]: '%d %B %y'"):
        profile_from_toml(PERSIAN_FIELDS.replace('"%A %d %B %Y - %H:%M"', '"%d %B %y"'))
