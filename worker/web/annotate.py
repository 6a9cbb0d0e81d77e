"""An article's text cut into the pieces the article page shows: plain runs, entity mentions and
event triggers, nested where one lies inside another, grouped into paragraphs.

Pure: offsets in, a tree of values out. The template escapes every piece of text; nothing here
builds markup, so untrusted article text never meets an HTML string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """An annotation over ``text[start:end]``: ``kind`` is "mention" or "trigger"; ``info`` is what
    the template shows about it (entity type and id, event type, …)."""

    start: int
    end: int
    kind: str
    info: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Piece:
    """Plain text when ``span`` is None, else a highlighted span holding its own pieces."""

    text: str = ""
    span: Span | None = None
    children: list[Piece] = field(default_factory=list)


def _usable(spans: Sequence[Span], length: int) -> list[Span]:
    """Spans inside the text, non-empty, outermost first at each start (a mention that holds a
    trigger opens before it)."""
    kept = [s for s in spans if 0 <= s.start < s.end <= length]
    return sorted(kept, key=lambda s: (s.start, -s.end, s.kind != "mention"))


def _nest(text: str, spans: list[Span], start: int, end: int) -> list[Piece]:
    """Pieces of ``text[start:end]``, with ``spans`` (sorted, all within the range) nested. A span
    that crosses the end of an earlier one is clipped to it: the text stays whole and in order."""
    out: list[Piece] = []
    pos = start
    i = 0
    while i < len(spans):
        s = spans[i]
        if s.start < pos:  # overlaps an earlier sibling: keep only what lies after it
            if s.end <= pos:
                i += 1
                continue
            s = Span(pos, s.end, s.kind, s.info)
        if s.start > pos:
            out.append(Piece(text=text[pos : s.start]))
        inner = []
        j = i + 1
        while j < len(spans) and spans[j].start < s.end:
            t = spans[j]
            inner.append(t if t.end <= s.end else Span(t.start, s.end, t.kind, t.info))
            j += 1
        out.append(Piece(span=s, children=_nest(text, inner, s.start, s.end)))
        pos = s.end
        i = j
    if pos < end:
        out.append(Piece(text=text[pos:end]))
    return out


def _split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """The pieces cut at line breaks: a list of lines. A highlighted span that holds a line break
    (rare: a name across a line end) becomes one highlight per line."""
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        if piece.span is None:
            first, *rest = piece.text.split("\n")
            if first:
                lines[-1].append(Piece(text=first))
            for part in rest:
                lines.append([Piece(text=part)] if part else [])
            continue
        inner = _split_lines(piece.children)
        for k, line in enumerate(inner):
            if k:
                lines.append([])
            if line:
                lines[-1].append(Piece(span=piece.span, children=line))
    return lines


def paragraphs(text: str, spans: Sequence[Span]) -> list[list[Piece]]:
    """The text as paragraphs (runs of non-empty lines; a single line break inside a paragraph is
    kept as a space) of nested pieces."""
    pieces = _nest(text, _usable(spans, len(text)), 0, len(text))
    out: list[list[Piece]] = []
    current: list[Piece] = []
    for line in _split_lines(pieces):
        if not any(p.span or p.text.strip() for p in line):
            if current:
                out.append(current)
            current = []
            continue
        if current:
            current.append(Piece(text=" "))
        current.extend(line)
    if current:
        out.append(current)
    return out


def document_text(title: str | None, body: str) -> tuple[str, int]:
    """The text that stored offsets index (``title + "\\n\\n" + body``, as the segment stage
    builds it), and where the body starts in it."""
    if title:
        return f"{title}\n\n{body}", len(title) + 2
    return body, 0
