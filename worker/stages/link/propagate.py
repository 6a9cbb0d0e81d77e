"""Putting the mentions together: rule mentions that override the tagger, one mention per span
(by origin), and every other occurrence of a name tagged once."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from worker.lang.ar import words
from worker.lang.ar.lexicons import gazetteer
from worker.lang.ar.morphology import adjective_stem
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Mention, Token
from worker.stages.link.common import (
    ARTICLE,
    FUNCTION_WORDS,
    NOT_NAMES,
    PROPAGATED_SCORE,
    after_clitic,
    is_common_word,
    word_zipf,
)

# Which mention wins an overlap, by origin: the tagger's and the rules that override it, then names
# after a label or from the gazetteer, then occurrences of a name tagged elsewhere.
ORIGIN_RANK = {"ner": 2, "rule": 2, "label": 1, "gazetteer": 1, "propagated": 0, "reference": 0}
# A name shorter than this is not looked for elsewhere: two letters match too many words.
MIN_PROPAGATED = 3
# A person's family name is looked for alone when it has this many letters ("لافروف"; "علي" no).
MIN_FAMILY_NAME_ALONE = 4
# A word general text uses this often (Zipf 5: once in 100,000 words) is far more often a function
# word, an ordinal or a common noun than a family name ("علي أكبر", "عبد الله الثاني", "حبري أمام"):
# it is not looked for alone.
FAMILY_NAME_ALONE_ZIPF = 5.0
# words that qualify a date ("الماضي", "المقبل"): a family name written so is not looked for alone
TIME_QUALIFIERS = words("dates/past_qualifiers") | words("dates/next_qualifiers")
# names of up to three words are looked for, the longest first ("سيرغي لافروف" before "لافروف")
PROPAGATED_LENGTHS = (3, 2, 1)


def by_origin(m: Mention) -> float:
    """Precedence in an overlap: ORIGIN_RANK."""
    return ORIGIN_RANK[m.origin]


def by_rule_weight(m: Mention) -> float:
    """Precedence among rule mentions: their rule's weight (an institution before a title)."""
    return m.score


def resolve_overlaps(
    mentions: list[Mention], precedence: Callable[[Mention], float] = by_origin
) -> list[Mention]:
    """Keep the mentions of highest precedence first, then the longest, with no overlaps."""
    ranked = sorted(mentions, key=lambda m: (-precedence(m), -(m.end - m.start), m.start))
    kept: list[Mention] = []
    # The kept spans, by start: with no empty span among them they are disjoint, so their ends
    # rise with their starts and only the last one starting before a mention's end can overlap it
    # (a bisection instead of a scan of every kept span).
    starts: list[int] = []
    ends: list[int] = []
    empty = False
    for m in ranked:
        if empty or m.start >= m.end:
            free = all(m.end <= k.start or m.start >= k.end for k in kept)
        else:
            i = bisect.bisect_left(starts, m.end)
            free = i == 0 or ends[i - 1] <= m.start
        if free:
            kept.append(m)
            i = bisect.bisect_left(starts, m.start)
            starts.insert(i, m.start)
            ends.insert(i, m.end)
            empty = empty or m.start >= m.end
    return sorted(kept, key=lambda m: m.start)


def _inside(m: Mention, r: Mention) -> bool:
    return r.start <= m.start and m.end <= r.end


def _crosses(m: Mention, r: Mention) -> bool:
    """``m`` overlaps ``r`` without lying inside it."""
    return m.start < r.end and r.start < m.end and not _inside(m, r)


def _place_after_title(r: Mention, inside: list[Mention]) -> bool:
    """A person found after a title over a tagged gazetteer place or organisation is that place:
    "وزير خارجية إيران" is not a person named "إيران"."""
    return r.type == "PERS" and any(
        m.type != "PERS" and normalise(m.canonical) in gazetteer() for m in inside
    )


def override(ner: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Rule mentions (institutions, names after titles, Latin names) replace the tagger's
    mentions they contain: the tagger truncates long names ("الحرس الثوري" for "الحرس الثوري
    الإيراني", "منصور هادي" for "عبدربه منصور هادي") or mistypes them. A rule mention that
    crosses a tagged one is dropped."""
    kept_rules = []
    for r in rules:
        if any(_crosses(m, r) for m in ner):
            continue
        if _place_after_title(r, [m for m in ner if _inside(m, r)]):
            continue
        kept_rules.append(r)
    out = [m for m in ner if not any(_inside(m, r) for r in kept_rules)]
    return out + kept_rules


def _names_to_find(mentions: list[Mention]) -> dict[str, str]:
    """Normalised name → type, for every name found in the article and the family name alone of
    every person ("لافروف" for "سيرغي لافروف"); the first type found wins."""
    names: dict[str, str] = {}
    for m in mentions:
        key = normalise(m.canonical)
        if len(key) >= MIN_PROPAGATED and key not in NOT_NAMES and key not in FUNCTION_WORDS:
            names.setdefault(key, m.type)
    for m in mentions:
        parts = normalise(m.canonical).split()
        if m.type != "PERS" or len(parts) < 2:
            continue
        family = parts[-1]
        if (
            len(family) >= MIN_FAMILY_NAME_ALONE
            and family not in FUNCTION_WORDS
            and not adjective_stem(family)
            and family not in TIME_QUALIFIERS  # "محمد الماضي", not every "نوفمبر الماضي"
            and word_zipf().get(family, 0.0) < FAMILY_NAME_ALONE_ZIPF
        ):
            names.setdefault(family, "PERS")
    return names


def _adjective_not_name(toks: tuple[Token, ...], k: int, n: int, names: dict[str, str]) -> bool:
    """A one-word name that general text uses as a common word, right after a definite word, is
    that word's adjective, not the name: "الأسبوع الماضي" is not "محمد الماضي", "جورج بوش الابن"
    not a person "الابن" (but "وقال المعلم" is "وليد المعلم")."""
    if n != 1 or k == 0 or toks[k].clitic_len or not toks[k - 1].norm.startswith(ARTICLE):
        return False  # an adjective takes no conjunction or preposition ("العرب والأكراد")
    word = toks[k].norm if toks[k].norm in names else toks[k].stem
    return is_common_word(word)


def _occurrence(doc: Document, si: int, span: tuple[Token, ...], names: dict[str, str]) -> Mention | None:
    """A known name written as ``span``, as it is or after a clitic ("بلافروف" → "لافروف")."""
    rest = [t.norm for t in span[1:]]
    for key, cut in (
        (" ".join(t.norm for t in span), 0),
        (" ".join([span[0].stem, *rest]), span[0].clitic_len),
    ):
        if key in names:
            start, text, canonical = after_clitic(doc, span, cut)
            return Mention(
                text, names[key], start, span[-1].end, canonical, si, PROPAGATED_SCORE, "propagated"
            )
    return None


def propagate(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Tag every occurrence (with or without a clitic) of a name tagged somewhere in the article."""
    names = _names_to_find(mentions)
    # A span is a name only if its first word (as it is, or without its clitic) begins one: most
    # words do not, and their spans need not be joined and looked up.
    firsts = {key.partition(" ")[0] for key in names}
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            if tok.norm.partition(" ")[0] not in firsts and tok.stem.partition(" ")[0] not in firsts:
                continue
            for n in PROPAGATED_LENGTHS:
                if k + n > len(toks):
                    continue
                m = _occurrence(doc, si, toks[k : k + n], names)
                if m is not None and not _adjective_not_name(toks, k, n, names):
                    out.append(m)
    return out
