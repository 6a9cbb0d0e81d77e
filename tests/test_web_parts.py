"""The window's pure parts: an article's text cut into highlighted pieces, the events-over-time
chart, and the event list's query string read with the validators of `khabar events`."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.web.annotate import Piece, Span, document_text, paragraphs
from worker.web.chart import MONTHS_AT_MOST, events_over_time
from worker.web.filters import MAX_LIMIT, parse_filters


def _flat(pieces: list[Piece]) -> str:
    return "".join(p.text if p.span is None else _flat(p.children) for p in pieces)


def _spans(pieces: list[Piece], depth: int = 0) -> list[tuple[str, str, int]]:
    """(kind, text, depth) of every highlighted piece, in reading order."""
    out = []
    for p in pieces:
        if p.span is not None:
            out.append((p.span.kind, _flat(p.children), depth))
            out.extend(_spans(p.children, depth + 1))
    return out


def test_mentions_and_triggers_nest_and_the_text_stays_whole():
    text = "قال وزير الخارجية سيرغي لافروف إن المحادثات جرت في نيويورك."
    spans = [
        Span(text.index("سيرغي"), text.index(" إن"), "mention", {"type": "PERS"}),
        Span(text.index("لافروف"), text.index(" إن"), "trigger"),  # inside the mention
        Span(text.index("نيويورك"), len(text) - 1, "mention", {"type": "LOC"}),
        Span(text.index("المحادثات"), text.index(" جرت"), "trigger"),
    ]
    [para] = paragraphs(text, spans)
    assert _flat(para) == text
    assert _spans(para) == [
        ("mention", "سيرغي لافروف", 0),
        ("trigger", "لافروف", 1),
        ("trigger", "المحادثات", 0),
        ("mention", "نيويورك", 0),
    ]


def test_a_span_crossing_another_is_clipped_not_repeated_and_bad_spans_are_dropped():
    text = "abcdefghij"
    spans = [
        Span(2, 6, "mention"),
        Span(4, 8, "trigger"),  # crosses the mention's end: its part inside, then what follows
        Span(3, 3, "mention"),  # empty
        Span(8, 40, "mention"),  # beyond the text
    ]
    [para] = paragraphs(text, spans)
    assert _flat(para) == text
    assert _spans(para) == [("mention", "cdef", 0), ("trigger", "ef", 1)]


def test_paragraphs_follow_blank_lines_and_the_title_offsets_match_the_segment_stage():
    title, body = "عنوان الخبر", "الفقرة الأولى\nتتمتها.\n\nالفقرة الثانية."
    text, body_start = document_text(title, body)
    assert text[body_start:] == body and document_text(None, body) == (body, 0)
    start = text.index("الثانية")
    paras = paragraphs(text, [Span(start, start + len("الثانية"), "mention")])
    assert [_flat(p) for p in paras] == [title, "الفقرة الأولى تتمتها.", "الفقرة الثانية."]
    assert _spans(paras[2]) == [("mention", "الثانية", 0)]
    # a name across a line end is highlighted on both lines
    across = text.index("الأولى")
    paras = paragraphs(text, [Span(across, text.index("تتمتها") + 3, "mention")])
    assert [s[1] for s in _spans(paras[1])] == ["الأولى", "تتم"]


@given(
    st.text(alphabet="اب \n<>\"'&", max_size=40),
    st.lists(st.tuples(st.integers(-2, 45), st.integers(-2, 45), st.sampled_from(["mention", "trigger"]))),
)
def test_any_spans_leave_every_character_of_the_text_in_order(text, raw):
    spans = [Span(a, b, kind) for a, b, kind in raw]
    got = "\n\n".join(_flat(p) for p in paragraphs(text, spans))
    # only line breaks and blank lines become paragraph breaks (a single break a space)
    assert got.split() == text.split()


def test_chart_by_month_fills_empty_months_and_counts_year_only_and_undated_apart():
    chart = events_over_time([("2023-01-05", 2), ("2023-03", 1), ("2023", 4), (None, 3), ("2023-01-20", 1)])
    assert chart.unit == "month"
    assert [(b.label, b.count) for b in chart.bars] == [("2023-01", 3), ("2023-02", 0), ("2023-03", 1)]
    assert (chart.year_only, chart.undated, chart.peak) == (4, 3, 3)
    tallest = chart.bars[0]
    assert tallest.height == chart.height and tallest.y == 0
    assert chart.bars[1].height == 0
    # right to left: the earliest month is the rightmost bar
    assert chart.bars[0].x > chart.bars[1].x > chart.bars[2].x
    assert all(0 <= b.x and b.x + b.width <= chart.width for b in chart.bars)


def test_chart_by_year_over_a_long_span_and_none_without_dates():
    chart = events_over_time([("2010-05-01", 1), ("2014", 2), ("2014-07", 1), ("2016-01", 5)])
    assert chart.unit == "year"
    assert [(b.label, b.count) for b in chart.bars] == [
        ("2010", 1), ("2011", 0), ("2012", 0), ("2013", 0), ("2014", 3), ("2015", 0), ("2016", 5),
    ]  # fmt: skip
    assert chart.year_only == 0  # by year, an event dated to its year has its bar
    many = events_over_time([(f"{2000 + k // 12}-{k % 12 + 1:02d}", 1) for k in range(MONTHS_AT_MOST + 1)])
    assert many.unit == "year"
    assert sum(b.show_label for b in many.bars) <= 13
    assert events_over_time([(None, 5), ("", 1)]) is None


def test_filters_accept_and_refuse_what_khabar_events_does():
    f = parse_filters(
        {
            "type": "consult",
            "since": "2023-3",
            "until": "2023",
            "participant": " لافروف ",
            "place": "",
            "omit_modal": "1",
            "happenings": "1",
            "min_confidence": "0.5",
            "limit": "10",
        }
    )
    assert not f.errors
    assert f.query_args() == {
        "type_": "CONSULT",
        "since": "2023-03",
        "until": "2023",
        "participant": "لافروف",
        "place": None,
        "omit_modal": True,
        "omit_refers_back": False,
        "min_confidence": 0.5,
        "happenings": True,
    }
    assert f.limit == 10
    bad = parse_filters(
        {"type": "FOO", "since": "yesterday", "min_confidence": "2", "limit": str(MAX_LIMIT + 1)}
    )
    assert set(bad.errors) == {"type", "since", "min_confidence", "limit"}
    assert "unknown event type 'FOO'; the types are: AGREE CONSULT" in bad.errors["type"]
    assert "'yesterday' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD" in bad.errors["since"]
    assert bad.type_ is None and bad.since is None and bad.min_confidence is None and bad.limit == 50
