"""Organisation names the tagger truncates or misses: institutions named by a head and its
definite words ("وزارة الخارجية الأميركية"), and names in Latin script ("NBC News")."""

from __future__ import annotations

import re

from worker.lang.ar import ordered, words
from worker.lang.ar.morphology import adjective_stem
from worker.stages.document import Document, Mention, Token
from worker.stages.link.common import (
    ARTICLE,
    CONJUNCTION,
    INSTITUTION_COMPLEMENTS,
    INSTITUTION_HEADS,
    INSTITUTION_SCORE,
    LAM_ARTICLE,
    LATIN_SCORE,
    NAME_STOPS,
    ORG_NAME_STOPS,
    is_common_word,
    is_nisba,
    is_word,
    sentence_of,
)

# An institution's name is its head and at most this many words after it ("المجلس الأعلى للقوات
# المسلحة المصرية" is 4); longer runs of definite words go on into the sentence.
INSTITUTION_WINDOW = 4
# sound plural endings: a definite plural noun after a name's adjective starts another phrase
PLURAL_ENDINGS = tuple(ordered("link/plural_endings"))
ORDINALS = words("link/ordinals")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.\-]*(?:\s+[A-Z0-9][A-Za-z0-9&.\-]*)*")


# every form _is_head accepts, for the one look-up per token that rejects nearly all of them
_HEAD_FORMS = INSTITUTION_HEADS | {ARTICLE + h for h in INSTITUTION_HEADS}


def _is_head(word: str) -> bool:
    """An institution head with or without the article: "مجلس", "المجلس"."""
    return word in INSTITUTION_HEADS or (
        word.startswith(ARTICLE) and word[len(ARTICLE) :] in INSTITUTION_HEADS
    )


def _institution_head(tok: Token) -> tuple[str, int] | None:
    """The head word of an institution name and the letters of its clitic, or None: "والمجلس" →
    ("المجلس", 1); "وزارة" and "وكالة" keep their و, which is the word's own letter."""
    if not (_is_head(tok.norm) or _is_head(tok.stem)):
        return None  # the common case, decided by two set look-ups
    if not is_word(tok):
        return None
    word, cut = tok.stem, tok.clitic_len
    if tok.norm in INSTITUTION_HEADS or (
        tok.norm.startswith(ARTICLE) and tok.norm[len(ARTICLE) :] in INSTITUTION_HEADS
    ):
        word, cut = tok.norm, 0
    if not _is_head(word):
        return None
    if tok.norm.startswith(LAM_ARTICLE):
        cut = 0  # "للجنة": keep the article's lam in the name text
    return word, cut


def _ends_after_adjective(w: str) -> bool:
    """A definite word after the relative adjective of an institution's name that starts another
    phrase: a sound plural ("الاقتحامات") or a word general text uses as a common noun ("القصف",
    "الضوء"), unless it is an adjective too ("الرسمية", "الرابعة")."""
    if is_nisba(w) or w in ORDINALS:
        return False
    return w.endswith(PLURAL_ENDINGS) or is_common_word(w)


def _institution_end(toks: tuple[Token, ...], k: int) -> int:
    """The end of the name after the head at ``k``: its definite words and nationality adjectives
    ("وزارة الخارجية الأميركية"), a complement that ends it ("الاتحاد الدولي لكرة القدم"),
    and not a stop ("مجلس الأمن | التابع للأمم المتحدة") or a conjoined word ("الجيش | والشرطة")."""
    j = k + 1
    while j < len(toks) and j - k <= INSTITUTION_WINDOW and is_word(toks[j]):
        w = toks[j].norm
        if w in NAME_STOPS or w in ORG_NAME_STOPS or w.startswith(CONJUNCTION):
            break
        if adjective_stem(w):
            j += 1
            continue
        if w.startswith(ARTICLE):
            if is_nisba(toks[j - 1].norm) and _ends_after_adjective(w):
                break  # "جامعة الدول العربية | الاقتحامات", "الجيش الباكستاني | القصف"
            j += 1
            continue
        if j + 1 < len(toks) and f"{w} {toks[j + 1].norm}" in INSTITUTION_COMPLEMENTS:
            j += 2
        break
    return j


def _is_description(word: str, toks: tuple[Token, ...], k: int, j: int) -> bool:
    """A definite head with one word after it, not a nationality, is a description, not a name:
    "المحكمة الشرعية" (but "مجلس الأمن", "المجلس الدستوري الفرنسي" are names)."""
    return word.startswith(ARTICLE) and j == k + 2 and not adjective_stem(toks[k + 1].norm)


def institution_mentions(doc: Document) -> list[Mention]:
    """Organisation names built on an institutional head: the head and the definite words and
    nationality adjectives that follow it ("وزارة الخارجية الأميركية")."""
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            if tok.norm not in _HEAD_FORMS and tok.stem not in _HEAD_FORMS:
                continue
            head = _institution_head(tok)
            if head is None:
                continue
            word, cut = head
            j = _institution_end(toks, k)
            if j == k + 1 or _is_description(word, toks, k, j):
                continue
            start, end = tok.start + cut, toks[j - 1].end
            name = doc.text[start:end]
            canonical = name
            if word.startswith(ARTICLE) and tok.norm.startswith(LAM_ARTICLE):
                canonical = ARTICLE + name[len(LAM_ARTICLE) :]  # "للجيش الأفغاني": ل + "الجيش"
            out.append(Mention(name, "ORG", start, end, canonical, si, INSTITUTION_SCORE, "rule"))
    return out


def latin_names(doc: Document) -> list[Mention]:
    """Names written in Latin script ("شبكة “NBC News”"): organisations (media, companies)."""
    out: list[Mention] = []
    for m in _LATIN.finditer(doc.text):
        name = m.group(0).rstrip(".-")
        if len(name) < 2 or not any(c.isupper() for c in name):
            continue
        start = m.start()
        out.append(
            Mention(name, "ORG", start, start + len(name), name, sentence_of(doc, start), LATIN_SCORE, "rule")
        )
    return out
