"""Arabic temporal expressions: examples written for these tests, and property tests of the
resolution rules (ANNOTATION.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from hijridate import Gregorian
from hypothesis import given
from hypothesis import strategies as st

from worker.lang.ar.normalise import normalise
from worker.stages.events.dates import (
    _NEEDS,
    GREGORIAN_MONTHS,
    WEEKDAYS,
    _matches,
    find_dates,
    published_date,
    resolve_month,
    resolve_weekday,
)

PUB = "2023-07-07T12:00:00+03:00"  # a Friday

GREG_NAMES = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
LEVANTINE = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
WEEKDAY_NAMES = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
HIJRI_NAMES = [
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الثاني",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
]


def values(text: str, pub=PUB) -> list[str | None]:
    return [e.value for e in find_dates(text, pub)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("عقد الاجتماع في أبريل/ نيسان الماضي", "2023-04"),
        ("اندلعت الحرب منذ فبراير/ شباط العام الماضي", "2022-02"),
        ("التقى الوزيران في مارس/ آذار الماضي", "2023-03"),
        ("وصل الوفد أمس إلى العاصمة", "2023-07-06"),
        ("قال الوزير اليوم إن", "2023-07-07"),
        ("وتعقد الجلسة غداً", "2023-07-08"),
        ("حدث ذلك أول أمس", "2023-07-05"),
        ("وقع الانفجار يوم الخميس", "2023-07-06"),
        ("أعلن أمس الخميس", "2023-07-06"),
        ("في يوليو الماضي", "2022-07"),
        ("في أغسطس", "2022-08"),
        ("في يونيو", "2023-06"),
        ("في 24 أغسطس المقبل", "2023-08-24"),
        ("في 3 آب/ أغسطس 2014", "2014-08-03"),
        ("فرض عام 2007 حظراً", "2007"),
        ("في 12/03/2021", "2021-03-12"),
        ("بتاريخ 2021-03-12", "2021-03-12"),
        ("الأسبوع الماضي", "2023-06"),
        ("الشهر الماضي", "2023-06"),
        ("العام الماضي", "2022"),
        ("منذ ثلاثة أيام", "2023-07-04"),
        ("قبل شهرين", "2023-05"),
        ("في الأيام الماضية", "2023-07"),
        ("في 5 شوال 1436 هـ", "2015-07-21"),
        ("في 1 كانون الثاني 2020", "2020-01-01"),
    ],
)
def test_examples(text, expected):
    assert values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "ومايو 2015 و5مايو وفي 12مايو وبمايو",  # a month name after a clitic or a day's digits
        "يوم 3آب/ أغسطس 2014 و3 آب (أغسطس)",
        "في 12/03/2021 و12 . 3 . 2021 وبتاريخ 2021-03-12",
        "عام 2007 وسنة 1436 هـ",
        "وفي 5 شوال 1436 هـ ورمضان المبارك والخميس المقبل",
        "ذهب أبوه إلى الباب",
    ],
)
def test_a_pattern_skipped_for_want_of_its_needed_part_would_have_found_nothing(text):
    ft = normalise(text)
    for rx in _NEEDS:
        assert [m.span() for m in _matches(rx, ft)] == [m.span() for m in rx.finditer(ft)], rx.pattern[:40]


def test_no_false_dates():
    assert values("ذهب أبوه إلى الباب") == []
    assert values("عدد الضحايا صفر") == []
    assert values("منذ سنوات طويلة") == [None]


def test_offsets_point_at_the_original_text():
    text = "وقال المسؤولُ إنّ اللقاءَ جرى في أبريل/ نيسان الماضي."
    (e,) = find_dates(text, PUB)
    assert text[e.start : e.end] == e.text and "أبريل" in e.text


def test_published_date_keeps_the_outlet_time_zone():
    assert published_date("2015-07-21T02:27:30+03:00") == dt.date(2015, 7, 21)
    assert published_date("2015-07-21") == dt.date(2015, 7, 21)


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2080, 12, 31))
months = st.integers(1, 12)


@given(dates, months)
def test_month_with_past_is_strictly_before_publication_month(pub, month):
    y, m = map(int, resolve_month(month, pub, "past").split("-"))
    assert m == month
    assert (y, m) < (pub.year, pub.month)
    assert (pub.year * 12 + pub.month) - (y * 12 + m) <= 12


@given(dates, months)
def test_bare_month_is_not_after_publication_month(pub, month):
    y, m = map(int, resolve_month(month, pub).split("-"))
    assert m == month and (y, m) <= (pub.year, pub.month)
    assert (pub.year * 12 + pub.month) - (y * 12 + m) < 12


@given(dates, months)
def test_month_with_next_is_strictly_after(pub, month):
    y, m = map(int, resolve_month(month, pub, "next").split("-"))
    assert m == month and (y, m) > (pub.year, pub.month)


@given(dates, st.integers(0, 6))
def test_weekday_is_latest_on_or_before(pub, weekday):
    d = resolve_weekday(weekday, pub)
    assert d.weekday() == weekday and d <= pub and (pub - d).days < 7


@given(dates, months, st.sampled_from(["gregorian", "levantine"]), st.sampled_from(["الماضي", ""]))
def test_found_month_names_resolve_like_the_rule(pub, month, names, qual):
    name = (GREG_NAMES if names == "gregorian" else LEVANTINE)[month - 1]
    if name == "آب" and not qual:
        name = "آب/ أغسطس"
    text = f"جرى ذلك في {name} {qual}".strip()
    assert values(text, pub) == [resolve_month(month, pub, "past" if qual else None)]


@given(dates, dates)
def test_explicit_day_month_year(pub, day):
    text = f"في {day.day} {GREG_NAMES[day.month - 1]} {day.year}"
    assert values(text, pub) == [day.isoformat()]


@given(dates, st.integers(0, 6))
def test_weekday_names(pub, weekday):
    name = WEEKDAY_NAMES[weekday]
    assert WEEKDAYS  # the table exists
    assert values(f"وقع ذلك يوم {name}", pub) == [resolve_weekday(weekday, pub).isoformat()]


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2070, 12, 31)), dates)
def test_hijri_dates_round_trip(day, pub):
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    text = f"في {h.day} {HIJRI_NAMES[h.month - 1]} {h.year} هـ"
    assert values(text, pub) == [day.isoformat()]


@given(dates)
def test_relative_days(pub):
    assert values("أمس", pub) == [(pub - dt.timedelta(days=1)).isoformat()]
    assert values("اليوم", pub) == [pub.isoformat()]


def test_month_table_covers_twelve_months():
    assert set(GREGORIAN_MONTHS.values()) == set(range(1, 13))
