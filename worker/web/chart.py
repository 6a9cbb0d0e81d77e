"""Events over time as a small bar chart: the bars' geometry, computed here, drawn by the template
as inline SVG (no script, nothing fetched: the window runs where there is no internet).

Event dates have the precision their text gave (YYYY, YYYY-MM or YYYY-MM-DD). Bars are months
when the dated events span at most ``MONTHS_AT_MOST`` months, else years; an event dated only to
its year cannot sit in a month and is counted apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS_AT_MOST = 36
WIDTH, HEIGHT, AXIS = 640, 160, 22  # the drawing's size and the room below it for labels


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    unit: str  # "month" or "year"
    peak: int
    year_only: int  # events dated only to their year, left out of a chart by month
    undated: int
    width: int = WIDTH
    height: int = HEIGHT
    axis: int = AXIS


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _buckets(dated: Counter[str]) -> tuple[str, list[tuple[str, int]], int]:
    """(unit, [(label, count)] with empty periods filled in, events dated only to the year)."""
    months = Counter({d[:7]: 0 for d in dated if len(d) >= 7})
    for d, n in dated.items():
        if len(d) >= 7:
            months[d[:7]] += n
    year_only = sum(n for d, n in dated.items() if len(d) < 7)
    if months and len(_months(min(months), max(months))) <= MONTHS_AT_MOST:
        return "month", [(p, months[p]) for p in _months(min(months), max(months))], year_only
    years = Counter()
    for d, n in dated.items():
        years[d[:4]] += n
    first, last = int(min(years)), int(max(years))
    return "year", [(str(y), years[str(y)]) for y in range(first, last + 1)], 0


def events_over_time(dates: Iterable[tuple[str | None, int]]) -> Chart | None:
    """The chart of (event date, number of events) pairs; None when no event has a date."""
    dated: Counter[str] = Counter()
    undated = 0
    for d, n in dates:
        if d and d[:4].isdigit():
            dated[d] += n
        else:
            undated += n
    if not dated:
        return None
    unit, buckets, year_only = _buckets(dated)
    peak = max(n for _, n in buckets) or 1
    # a few periods get bars of a dozen's width, drawn from the right edge, not one wide block
    step = WIDTH / max(len(buckets), 12)
    # a label under every bar would overlap: at most about a dozen, evenly spaced
    every = max(1, round(len(buckets) / 12))
    bars = [
        Bar(
            label=label,
            count=n,
            # right to left, as the page reads: the earliest period at the right edge
            x=WIDTH - (k + 1) * step + step * 0.1,
            y=HEIGHT - HEIGHT * n / peak,
            width=step * 0.8,
            height=HEIGHT * n / peak,
            show_label=k % every == 0,
        )
        for k, (label, n) in enumerate(buckets)
    ]
    return Chart(bars=bars, unit=unit, peak=peak, year_only=year_only, undated=undated)
