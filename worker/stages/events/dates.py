"""Arabic temporal expressions → ISO dates relative to the publication time.

``find_dates(text, published)`` finds the temporal expressions of a text and resolves each one
against the publication date by the rules of ANNOTATION.md:

- "أمس" = the day before; "اليوم" = that day; "غداً" = the day after; "أول أمس" = two days before;
- a weekday name = its latest occurrence on or before the publication day;
- a month with "الماضي" = its latest occurrence strictly before the publication month; with
  "المقبل" its next occurrence strictly after; with "العام الماضي" that month of the year before;
  a bare month = that month of the publication year if not after the publication month, else of
  the year before; an explicit year wins;
- "الأسبوع الماضي" = YYYY-MM of the publication date minus 7 days; "الشهر الماضي" = the month
  before; "العام الماضي" = year − 1; "مؤخراً", "الأيام الماضية" = YYYY-MM of the publication date;
- "منذ/قبل ثلاثة أيام|أسابيع|أشهر|سنوات" = counted back from the publication date;
- Gregorian month names, their Levantine equivalents ("كانون الثاني" … "كانون الأول") and Maghrebi
  forms, alone or written together ("أبريل/ نيسان الماضي"); numeric dates (d/m/yyyy, yyyy-mm-dd);
  Hijri dates ("5 شوال 1436 هـ"), converted with hijridate.

Values are as precise as the text allows: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. The publication
date is taken in the outlet's own time zone (the local date of ``published_at``), never converted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hijridate import Gregorian, Hijri

from worker.lang.ar import table, words
from worker.lang.ar.normalise import fold

GREGORIAN_MONTHS: dict[str, int] = table("dates/gregorian_months", int)
# "آب" (August) folds to "اب", which is also "father": only accepted beside another month name,
# after "شهر", or before a year.
AMBIGUOUS_MONTHS = table("dates/ambiguous_months", int)
HIJRI_MONTHS: dict[str, int] = table("dates/hijri_months", int)
WEEKDAYS: dict[str, int] = table("dates/weekdays", int)
NUMBER_WORDS: dict[str, int] = table("dates/number_words", int)
PAST_QUALIFIERS = words("dates/past_qualifiers")
NEXT_QUALIFIERS = words("dates/next_qualifiers")
YEAR_NOUNS = words("dates/year_nouns")
# "منذ ثلاثة أيام": the unit → day, week, month or year; duals count two; plurals need a number
TIME_UNITS = table("dates/time_units")
DUAL_UNITS = words("dates/dual_units")
PLURAL_UNITS = words("dates/plural_units")


def _alt(names) -> str:
    """Names as a regular-expression alternation, longest first; a space matches any spacing."""
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))


_B = r"(?<![\w])"  # word start (clitics are matched explicitly)
_E = r"(?![\w])"
_PRE = r"(?:[وفبل]|في\s+|منذ\s+|حتي\s+|مطلع\s+|اوائل\s+|اواخر\s+|منتصف\s+|نهايه\s+|بدايه\s+)?"
_GM = _alt(GREGORIAN_MONTHS)
_GM_ALL = _alt([*GREGORIAN_MONTHS, *AMBIGUOUS_MONTHS])
_QUAL = (
    r"(?P<qual>(?:من\s+)?(?:العام|السنه)\s+(?:الماضي|الماضيه|المنصرم|الفائت|السابق)"
    r"|(?:من\s+)?(?:العام|السنه)\s+(?:المقبل|المقبله|القادم|القادمه)"
    r"|(?:من\s+)?(?:هذا\s+العام|هذه\s+السنه|العام\s+الحالي|العام\s+الجاري|السنه\s+الحاليه|السنه\s+الجاريه)"
    r"|الماضي|المنصرم|الفائت|السابق|المقبل|القادم|الحالي|الجاري)"
)
_YEAR = r"(?:(?:من\s+)?(?:عام|العام|سنه|السنه)\s+)?(?P<year>(?:19|20)\d\d)(?:\s*م" + _E + r")?"
_DAY = r"(?:(?:يوم\s+)?(?P<day>[0-3]?\d)\s*(?:من\s+)?(?:شهر\s+)?)"

GREGORIAN_RE = re.compile(
    _B
    + _PRE
    + _DAY
    + r"?"
    + r"(?:شهر\s+)?(?P<m1>"
    + _GM_ALL
    + r")"
    + _E
    + r"(?:\s*[/\-(،,]?\s*(?:شهر\s+)?(?P<m2>"
    + _GM_ALL
    + r")"
    + _E
    + r"(?:\s*\))?)?"
    + r"(?:\s*[,،]?\s*"
    + _YEAR
    + r")?"
    + r"(?:\s+"
    + _QUAL
    + _E
    + r")?"
)
# "آب/ أغسطس": the ambiguous name first, then a certain one.
GREGORIAN_AB_RE = re.compile(
    _B
    + _PRE
    + _DAY
    + r"?(?:شهر\s+)?(?P<m1>اب)\s*[/\-(]\s*(?P<m2>"
    + _GM
    + r")"
    + _E
    + r"(?:\s*\))?"
    + r"(?:\s*[,،]?\s*"
    + _YEAR
    + r")?(?:\s+"
    + _QUAL
    + _E
    + r")?"
)
HIJRI_RE = re.compile(
    _B
    + _PRE
    + r"(?:(?P<day>[0-3]?\d)\s*(?:من\s+)?)?(?P<shahr>شهر\s+)?(?P<m>"
    + _alt(HIJRI_MONTHS)
    + r")"
    + _E
    + r"(?:\s*[,،]?\s*(?:(?:عام|سنه)\s+)?(?P<year>1[34]\d\d)(?:\s*(?:هـ|ه)"
    + _E
    + r"|\s*للهجره)?)?"
    + r"(?:\s+(?P<qual>الماضي|المقبل|القادم|الحالي|الجاري|المبارك))?"
)
NUMERIC_DMY_RE = re.compile(
    r"(?<![\d/])(?P<d>[0-3]?\d)\s*[/.\-]\s*(?P<m>[01]?\d)\s*[/.\-]\s*(?P<y>(?:19|20)\d\d)(?![\d/])"
)
NUMERIC_YMD_RE = re.compile(r"(?<![\d/])(?P<y>(?:19|20)\d\d)[/\-](?P<m>[01]?\d)[/\-](?P<d>[0-3]?\d)(?![\d/])")
YEAR_RE = re.compile(
    _B
    + r"(?:[وفبل]|في\s+|منذ\s+|خلال\s+|مطلع\s+|نهايه\s+|بدايه\s+)?(?:عام|العام|سنه|السنه|اعوام)\s+(?P<year>(?:19|20)\d\d|1[34]\d\d)(?P<hijri>\s*(?:هـ|ه)"
    + _E
    + r")?"
)
WEEKDAY_RE = re.compile(
    _B
    + r"(?:[وفب]|في\s+)?(?:(?:يوم|ليله|صباح|مساء|فجر|ظهر|عصر|ليل)\s+)?(?P<wd>"
    + _alt(WEEKDAYS)
    + r")"
    + _E
    + r"(?P<next>\s+(?:المقبل|القادم))?(?P<last>\s+(?:الماضي|المنصرم|الفائت))?"
)
_N = r"(?:(?P<num>\d{1,2}|" + _alt(NUMBER_WORDS) + r")\s+)?"
RELATIVE_RE = re.compile(
    _B + r"(?:[وفب]|في\s+)?(?:"
    r"(?P<before_yesterday>اول\s+(?:من\s+)?امس)"
    r"|(?P<yesterday>(?:(?:صباح|مساء|فجر|ظهر|عصر|ليل|ليله)\s+)?(?:امس|البارحه))"
    r"|(?P<tomorrow>غدا|(?:صباح|مساء)\s+الغد|يوم\s+غد)"
    r"|(?P<today>(?:(?:صباح|مساء|ظهر|عصر|فجر)\s+)?اليوم(?!\s+(?:التالي|نفسه|ذاته|السابق))|الليله|هذا\s+الصباح|هذا\s+المساء)"
    r"|(?P<last_week>(?:الاسبوع|الاسابيع)\s+(?:الماضي|المنصرم|الفائت|الماضيه)|الاسبوع\s+قبل\s+الماضي)"
    r"|(?P<this_week>(?:هذا\s+الاسبوع|الاسبوع\s+(?:الحالي|الجاري)))"
    r"|(?P<next_week>الاسبوع\s+(?:المقبل|القادم))"
    r"|(?P<last_month>الشهر\s+(?:الماضي|المنصرم|الفائت))"
    r"|(?P<this_month>(?:هذا\s+الشهر|الشهر\s+(?:الحالي|الجاري)))"
    r"|(?P<next_month>الشهر\s+(?:المقبل|القادم))"
    r"|(?P<last_year>(?:العام|السنه)\s+(?:الماضي|الماضيه|المنصرم|الفائت))"
    r"|(?P<this_year>(?:هذا\s+العام|هذه\s+السنه|العام\s+(?:الحالي|الجاري)|السنه\s+(?:الحاليه|الجاريه)))"
    r"|(?P<next_year>(?:العام|السنه)\s+(?:المقبل|القادم|المقبله|القادمه))"
    r"|(?P<recent>مؤخرا|الايام\s+(?:الماضيه|الاخيره|القليله\s+الماضيه)|الاونه\s+الاخيره)"
    r"|(?P<ago>(?:منذ|قبل)\s+"
    + _N
    + r"(?P<unit>يوم|يومين|ايام|اسبوع|اسبوعين|اسابيع|شهر|شهرين|اشهر|شهور|عام|عامين|اعوام|سنه|سنتين|سنوات))"
    r")" + _E
)

# A part every match of a pattern holds, found much faster than the pattern is tried at every
# position of a sentence (most sentences name no month and no date): where it is missing, the
# pattern is not tried. A month name may follow an attached proclitic or a day's digits.
_NEEDS = {
    GREGORIAN_RE: re.compile(r"(?<![^\W\dوفبل])(?:" + _GM_ALL + r")" + _E),
    GREGORIAN_AB_RE: re.compile(r"اب\s*[/\-(]"),
    HIJRI_RE: re.compile(_alt(HIJRI_MONTHS)),
    NUMERIC_DMY_RE: re.compile(r"\d\s*[/.\-]"),
    NUMERIC_YMD_RE: re.compile(r"\d[/\-]"),
    YEAR_RE: re.compile(r"\d"),
    WEEKDAY_RE: re.compile(_alt(WEEKDAYS)),
}


def _matches(rx: re.Pattern, ft: str):
    return rx.finditer(ft) if _NEEDS[rx].search(ft) else ()


@dataclass(frozen=True)
class TimeExpr:
    start: int  # offsets into the text given to find_dates
    end: int
    text: str
    value: str | None  # YYYY, YYYY-MM or YYYY-MM-DD; None when too vague
    kind: str  # "date" (explicit calendar date) | "weekday" | "relative" | "hijri" | "year"


# --------------------------------------------------------------------------- resolution rules


def published_date(published_at: str | None, fallback: str | None = None) -> dt.date | None:
    """The local calendar date of an ISO 8601 timestamp (the outlet's own time zone is kept); else
    of ``fallback``; None when neither is a date (a pure stage never asks the clock)."""
    if published_at:
        try:
            return dt.datetime.fromisoformat(published_at.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return dt.date.fromisoformat(published_at[:10])
            except ValueError:
                pass
    if fallback:
        return published_date(fallback)
    return None


def ym(year: int, month: int) -> str:
    """YYYY-MM."""
    return f"{year:04d}-{month:02d}"


def month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months later (earlier when negative)."""
    k = year * 12 + (month - 1) + delta
    return k // 12, k % 12 + 1


def resolve_month(month: int, pub: dt.date, qualifier: str | None = None, year: int | None = None) -> str:
    """The YYYY-MM a month name refers to. ``qualifier``: "past" (الماضي: strictly before the
    publication month), "next" (المقبل: strictly after), "this" (this year), "last_year" (the year
    before), "next_year", or None (bare: this year unless that is after the publication month)."""
    if year is not None:
        return ym(year, month)
    if qualifier == "past":
        return ym(pub.year if month < pub.month else pub.year - 1, month)
    if qualifier == "next":
        return ym(pub.year if month > pub.month else pub.year + 1, month)
    if qualifier == "this":
        return ym(pub.year, month)
    if qualifier == "last_year":
        return ym(pub.year - 1, month)
    if qualifier == "next_year":
        return ym(pub.year + 1, month)
    return ym(pub.year if month <= pub.month else pub.year - 1, month)


def resolve_day(
    day: int, month: int, pub: dt.date, qualifier: str | None = None, year: int | None = None
) -> str | None:
    """The YYYY-MM-DD of a day of a month name (see resolve_month); YYYY-MM when the day does not
    exist in that month."""
    y, m = (int(x) for x in resolve_month(month, pub, qualifier, year).split("-"))
    try:
        return dt.date(y, m, day).isoformat()
    except ValueError:
        return ym(y, m)


def resolve_weekday(weekday: int, pub: dt.date, direction: str = "last") -> dt.date:
    """Latest occurrence on or before the publication day ("last"), or the next one strictly
    after it ("next", for "الخميس المقبل"), or strictly before it ("past", "الخميس الماضي")."""
    if direction == "next":
        return pub + dt.timedelta(days=(weekday - pub.weekday() - 1) % 7 + 1)
    if direction == "past":
        return pub - dt.timedelta(days=(pub.weekday() - weekday - 1) % 7 + 1)
    return pub - dt.timedelta(days=(pub.weekday() - weekday) % 7)


def hijri_to_gregorian(year: int, month: int, day: int | None = None) -> str | None:
    """A Hijri date as ISO: a full date when the day is known, else the Gregorian month that holds
    the middle of the Hijri month (a Hijri month straddles two Gregorian ones)."""
    try:
        if day is not None:
            return Hijri(year, month, day).to_gregorian().isoformat()
        g = Hijri(year, month, 15).to_gregorian()
        return ym(g.year, g.month)
    except (ValueError, OverflowError):
        return None


def hijri_year_of(pub: dt.date) -> tuple[int, int]:
    """The Hijri (year, month) of a Gregorian date."""
    h = Gregorian(pub.year, pub.month, pub.day).to_hijri()
    return h.year, h.month


def _qualifier(q: str | None) -> str | None:
    """The qualifier of a month name as resolve_month reads it: "past" ("أبريل الماضي"), "next"
    ("مايو المقبل"), "last_year" ("أبريل من العام الماضي"), "next_year", or "this" ("الحالي",
    "من هذا العام")."""
    if not q:
        return None
    q = " ".join(q.split())
    if any(w in q for w in YEAR_NOUNS):
        if any(w in q for w in PAST_QUALIFIERS):
            return "last_year"
        if any(w in q for w in NEXT_QUALIFIERS):
            return "next_year"
        return "this"
    if q in PAST_QUALIFIERS:
        return "past"
    if q in NEXT_QUALIFIERS:
        return "next"
    return "this"


def _number(s: str | None) -> int:
    """The count of "منذ ثلاثة أيام": digits or a number word; 1 when absent or unknown."""
    if not s:
        return 1
    if s.isdigit():
        return int(s)
    return NUMBER_WORDS.get(s, 1)


def _month_of(d: dt.date) -> str:
    """The YYYY-MM of a date."""
    return ym(d.year, d.month)


# The relative words of RELATIVE_RE by group, in the order they are tried, and what each names.
RELATIVE_RULES = (
    ("before_yesterday", lambda pub: (pub - dt.timedelta(days=2)).isoformat()),  # "أول أمس"
    ("yesterday", lambda pub: (pub - dt.timedelta(days=1)).isoformat()),  # "أمس", "مساء أمس"
    ("tomorrow", lambda pub: (pub + dt.timedelta(days=1)).isoformat()),  # "غدا"
    ("today", lambda pub: pub.isoformat()),  # "اليوم", "الليلة"
    ("last_week", lambda pub: _month_of(pub - dt.timedelta(days=7))),  # "الأسبوع الماضي": its month
    ("this_week", _month_of),  # "هذا الأسبوع"
    ("recent", _month_of),  # "مؤخرا", "الأيام الماضية"
    ("next_week", lambda pub: _month_of(pub + dt.timedelta(days=7))),  # "الأسبوع المقبل"
    ("last_month", lambda pub: ym(*month_shift(pub.year, pub.month, -1))),  # "الشهر الماضي"
    ("this_month", _month_of),  # "هذا الشهر"
    ("next_month", lambda pub: ym(*month_shift(pub.year, pub.month, 1))),  # "الشهر المقبل"
    ("last_year", lambda pub: f"{pub.year - 1:04d}"),  # "العام الماضي"
    ("this_year", lambda pub: f"{pub.year:04d}"),  # "هذا العام"
    ("next_year", lambda pub: f"{pub.year + 1:04d}"),  # "العام المقبل"
)


def _ago(unit: str, num: str | None, pub: dt.date) -> str | None:
    """ "منذ ثلاثة أيام", "قبل أسبوعين", "منذ 5 سنوات": counted back from the publication day (a
    day; the month of a week; a month; a year). A plural unit without a number ("منذ سنوات") is
    too vague: None."""
    n = 2 if unit in DUAL_UNITS else _number(num)
    if not num and unit in PLURAL_UNITS:
        return None
    counted = TIME_UNITS[unit]
    if counted == "day":
        return (pub - dt.timedelta(days=n)).isoformat()
    if counted == "week":
        return _month_of(pub - dt.timedelta(days=7 * n))
    if counted == "month":
        return ym(*month_shift(pub.year, pub.month, -n))
    return f"{pub.year - n:04d}"


def _relative(m: re.Match, pub: dt.date) -> str | None:
    """The value of a RELATIVE_RE match: see RELATIVE_RULES and _ago."""
    g = m.groupdict()
    for group, rule in RELATIVE_RULES:
        if g[group]:
            return rule(pub)
    if g["ago"]:
        return _ago(g["unit"], g["num"], pub)
    return None


# --------------------------------------------------------------------------- finding


# A found expression: (start, end) in the normalised text, its value, its kind, and its priority
# when expressions overlap (an explicit date over a year over a relative word).
Found = tuple[int, int, str | None, str, int]
EXPLICIT, YEAR, RELATIVE = 3, 2, 1
# neighbours this close ("أمس الاثنين", "الخميس 30 يوليو") name one day
MERGE_GAP = 3
# what may stand between them: spaces and commas ("أمس، الاثنين")
GAP_PUNCTUATION = " ،,"


def _gregorian(ft: str, pub: dt.date | None) -> list[Found]:
    """Gregorian month names, with a day, a year or a qualifier ("أبريل/ نيسان الماضي")."""
    found: list[Found] = []
    for rx in (GREGORIAN_RE, GREGORIAN_AB_RE):
        for m in _matches(rx, ft):
            m1, m2 = m.group("m1"), m.group("m2")
            month = GREGORIAN_MONTHS.get(" ".join(m1.split()), AMBIGUOUS_MONTHS.get(m1))
            if rx is GREGORIAN_AB_RE:
                month = GREGORIAN_MONTHS[" ".join(m2.split())]
            elif m1 in AMBIGUOUS_MONTHS and not (
                m2 or m.group("year") or m.group("qual") or "شهر" in m.group(0)
            ):
                continue
            if month is None:
                continue
            year = int(m.group("year")) if m.group("year") else None
            day = int(m.group("day")) if m.group("day") else None
            if day is not None and not 1 <= day <= 31:
                day = None
            value = None
            if year is not None or pub is not None:
                qual = _qualifier(m.group("qual"))
                value = (
                    resolve_day(day, month, pub, qual, year) if day else resolve_month(month, pub, qual, year)
                )
            found.append((m.start(), m.end(), value, "date", EXPLICIT))
    return found


def _hijri_year(month: int, qualifier: str | None, pub: dt.date) -> int:
    """The Hijri year of a month named without one: the latest such month (or the next one)."""
    hy, hm = hijri_year_of(pub)
    if qualifier == "الماضي":
        return hy if month < hm else hy - 1
    if qualifier in NEXT_QUALIFIERS:
        return hy if month > hm else hy + 1
    return hy if month <= hm else hy - 1


def _hijri(ft: str, pub: dt.date | None) -> list[Found]:
    """Hijri dates ("5 شوال 1436 هـ", "شهر رمضان المبارك")."""
    found: list[Found] = []
    for m in _matches(HIJRI_RE, ft):
        day = int(m.group("day")) if m.group("day") else None
        year = int(m.group("year")) if m.group("year") else None
        if day is None and year is None and not m.group("shahr"):
            continue  # "صفر", "رجب", "رمضان" alone are too often a number or a name
        month = HIJRI_MONTHS[" ".join(m.group("m").split())]
        if day is not None and not 1 <= day <= 30:
            day = None
        if year is None and pub is not None:
            year = _hijri_year(month, m.group("qual"), pub)
        value = hijri_to_gregorian(year, month, day) if year is not None else None
        found.append((m.start(), m.end(), value, "hijri", EXPLICIT))
    return found


def _numeric(ft: str) -> list[Found]:
    """Numeric dates: d/m/yyyy, yyyy-mm-dd."""
    found: list[Found] = []
    for rx in (NUMERIC_DMY_RE, NUMERIC_YMD_RE):
        for m in _matches(rx, ft):
            try:
                value = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d"))).isoformat()
            except ValueError:
                continue
            found.append((m.start(), m.end(), value, "date", EXPLICIT))
    return found


def _years(ft: str) -> list[Found]:
    """Years ("عام 2015", "سنة 1436 هـ")."""
    found: list[Found] = []
    for m in _matches(YEAR_RE, ft):
        year = int(m.group("year"))
        if m.group("hijri") or year < 1800:
            g = hijri_to_gregorian(year, 6, 15)
            value = g[:4] if g else None
        else:
            value = f"{year:04d}"
        found.append((m.start(), m.end(), value, "year", YEAR))
    return found


def _weekdays(ft: str, pub: dt.date | None) -> list[Found]:
    """Weekday names ("يوم الخميس", "الجمعة المقبل")."""
    found: list[Found] = []
    for m in _matches(WEEKDAY_RE, ft):
        direction = "next" if m.group("next") else "past" if m.group("last") else "last"
        value = resolve_weekday(WEEKDAYS[m.group("wd")], pub, direction).isoformat() if pub else None
        found.append((m.start(), m.end(), value, "weekday", YEAR))
    return found


def _relatives(ft: str, pub: dt.date | None) -> list[Found]:
    """Words relative to the publication day ("أمس", "الأسبوع الماضي", "منذ ثلاثة أيام")."""
    return [
        (m.start(), m.end(), _relative(m, pub) if pub else None, "relative", RELATIVE)
        for m in RELATIVE_RE.finditer(ft)
    ]


def _keep_longest(found: list[Found]) -> list[Found]:
    """Longer (then more explicit) expressions win over what they overlap."""
    found = sorted(found, key=lambda x: (-(x[1] - x[0]), -x[4], x[0]))
    kept: list[Found] = []
    for cand in found:
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    return sorted(kept)


def _merge_neighbours(kept: list[Found], ft: str) -> list[Found]:
    """ "أمس الاثنين", "اليوم الجمعة", "الخميس 30 يوليو": one day named twice; the more explicit wins."""
    merged: list[Found] = []
    for cand in kept:
        if merged:
            prev = merged[-1]
            gap = ft[prev[1] : cand[0]]
            kinds = {prev[3], cand[3]}
            if (
                len(gap) <= MERGE_GAP
                and not gap.strip(GAP_PUNCTUATION)
                and "weekday" in kinds
                and kinds <= {"weekday", "relative", "date"}
            ):
                best = max((prev, cand), key=lambda x: (x[4], len(x[2] or "")))
                merged[-1] = (prev[0], cand[1], best[2], best[3], best[4])
                continue
        merged.append(cand)
    return merged


def find_dates(text: str, published: dt.date | str | None = None) -> list[TimeExpr]:
    """All temporal expressions of ``text``, resolved against ``published`` (a date or an ISO
    timestamp), left to right; where two overlap the longer one is kept, and a weekday or an
    explicit date right beside "أمس"/"اليوم" absorbs it ("أمس الاثنين"). Without a publication
    date, only expressions that name their year get a value."""
    pub = published if isinstance(published, dt.date) else published_date(published)
    f = fold(text)
    ft = f.text
    found = [
        *_gregorian(ft, pub),
        *_hijri(ft, pub),
        *_numeric(ft),
        *_years(ft),
        *_weekdays(ft, pub),
        *_relatives(ft, pub),
    ]
    out = []
    for fs, fe, value, kind, _ in _merge_neighbours(_keep_longest(found), ft):
        s, e = f.span(fs, fe)
        out.append(TimeExpr(s, e, text[s:e], value, kind))
    return out


def precision(value: str | None) -> int:
    """3 for a day, 2 for a month, 1 for a year, 0 for nothing."""
    return 0 if not value else {4: 1, 7: 2, 10: 3}.get(len(value), 0)
