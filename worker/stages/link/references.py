"""Nominal re-mentions: an organisation named again by its head noun alone, with the article
("التحالف" after "التحالف العربي", "الحركة" after "حركة حماس", "النادي" after "نادي الاتفاق").

Arabic news names an organisation in full once and then by its head noun; an event's participant
is often only written so. Such a noun is a mention of the organisation when the article names
exactly one organisation with that head, before it (or anywhere, for the headline, which often
names it short first). A definite word right after it is its
adjective: the noun is then another body ("المجلس الرقمي" after "المجلس الدستوري"), unless the
adjective is one of the organisation's own ("الحزب الكردي" for "حزب العمال الكردستاني")."""

from __future__ import annotations

import dataclasses

from worker.lang.ar import ordered, words
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Mention, Token
from worker.stages.link.common import (
    ARTICLE,
    ORG_LABELS,
    REFERENCE_SCORE,
    after_clitic,
    is_common_word,
)

HEADS = words("link/reference_heads")
# the endings of a relative adjective ("الكردي", "الكردية"), longest first
NISBA_ENDINGS = ordered("arguments/nisba_endings")
# the least letters of a relative adjective's stem that ties an adjective to an organisation's name ("كرد")
MIN_ADJECTIVE_STEM = 3


def _head(tok: Token) -> str | None:
    """The head noun a word is, without clitics and article: "والتحالف" → "تحالف"."""
    w = tok.stem
    w = w[len(ARTICLE) :] if w.startswith(ARTICLE) else w
    return w if w in HEADS else None


def _organisations(doc: Document, mentions: list[Mention]) -> dict[str, list[tuple[str, int]]]:
    """Head noun → (canonical, first start) of each organisation of the article it heads."""
    out: dict[str, dict[str, int]] = {}
    for m in mentions:
        if m.type != "ORG" or m.sentence >= len(doc.sentences):
            continue
        toks = doc.sentences[m.sentence].tokens
        k = next((i for i, t in enumerate(toks) if t.end > m.start), None)
        if k is None or toks[k].start >= m.end:
            continue
        heads = [_head(toks[k])]
        if len(normalise(m.canonical).split()) < 2 and toks[k].end >= m.end:
            heads = []  # the head alone is no name to refer back to
        if k and toks[k - 1].stem in ORG_LABELS and not is_common_word(normalise(m.canonical)):
            # the label before the name ("تنظيم داعش"), not before a common word a label rule
            # took for one ("شركة الكهرباء")
            heads.append(toks[k - 1].stem)
        for head in filter(None, heads):
            seen = out.setdefault(head, {})
            seen[m.canonical] = min(seen.get(m.canonical, m.start), m.start)
    return {h: list(v.items()) for h, v in out.items()}


def _own_adjective(tok: Token, canonical: str) -> bool:
    """A relative adjective whose stem the organisation's name holds: "الكردي" and "حزب العمال
    الكردستاني"."""
    w = tok.stem
    if not w.startswith(ARTICLE):
        return False
    w = w[len(ARTICLE) :]
    end = next((e for e in NISBA_ENDINGS if w.endswith(e)), None)
    stem = w[: -len(end)] if end else ""
    return len(stem) >= MIN_ADJECTIVE_STEM and any(
        x.removeprefix(ARTICLE).startswith(stem) for x in normalise(canonical).split()
    )


def _adjective_form(doc: Document, m: Mention, orgs: dict[str, list[tuple[str, int]]]) -> str | None:
    """The organisation a mention written as its head noun and one of its adjectives names
    ("الحزب الكردي" for "حزب العمال الكردستاني"), when it is another one's."""
    words = normalise(m.canonical).split()
    if m.type != "ORG" or len(words) != 2 or not words[0].startswith(ARTICLE):
        return None
    head = words[0][len(ARTICLE) :]
    # the construct ("حزب العمال …", "جامعة الدول العربية") the adjective form re-expresses; a
    # definite head with adjectives ("المجلس الوزاري الأوروبي") is another body's name
    named = [
        c
        for c, _ in orgs.get(head, [])
        if c != m.canonical and len(c.split()) > len(words) and normalise(c).split()[0] == head
    ]
    toks = [t for t in doc.sentences[m.sentence].tokens if m.start <= t.start < m.end]
    if len(named) != 1 or len(toks) != 2 or not _own_adjective(toks[1], named[0]):
        return None
    return named[0]


def with_references(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """The mentions, with the article's organisations named by their head noun alone where no
    mention is, and a head noun with one of their adjectives given their canonical."""
    orgs = _organisations(doc, mentions)
    if not orgs:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        c = _adjective_form(doc, m, orgs) if m.sentence < len(doc.sentences) else None
        out.append(dataclasses.replace(m, canonical=c) if c else m)
    taken = [(m.start, m.end) for m in mentions]
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            if not tok.stem.startswith(ARTICLE):
                continue
            head = _head(tok)
            named = orgs.get(head) if head else None
            # before the name only in the headline, which often names it short first
            if not named or len(named) != 1 or (si and named[0][1] >= tok.start):
                continue
            canonical = named[0][0]
            last = k
            if k + 1 < len(toks) and toks[k + 1].norm.startswith(ARTICLE):
                if not _own_adjective(toks[k + 1], canonical):
                    continue  # another body of that kind ("المجلس الرقمي")
                last = k + 1
            span = toks[k : last + 1]
            if any(s < span[-1].end and span[0].start < e for s, e in taken):
                continue
            start, text, _ = after_clitic(doc, span, tok.clitic_len)
            out.append(Mention(text, "ORG", start, span[-1].end, canonical, si, REFERENCE_SCORE, "reference"))
    return sorted(out, key=lambda m: m.start)
