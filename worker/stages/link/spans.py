"""Corrections to the tagger's spans: where a tagged name ends too late, starts too early or
stops one word short."""

from __future__ import annotations

import dataclasses
from collections import Counter

from worker.lang.ar import ordered, words
from worker.lang.ar.lexicons import gazetteer
from worker.lang.ar.morphology import adjective_stem
from worker.lang.ar.normalise import is_dropped
from worker.stages.document import Document, Mention, Sentence, Token
from worker.stages.link.common import (
    ARTICLE,
    CONJOINED_ARTICLE,
    CONJUNCTION,
    GENERIC_OPENERS,
    NAME_PARTICLES,
    NAME_STOPS,
    PERSON_PREFIXES,
    PREPOSITION_NAMES,
    TITLE_WORDS,
    first_token,
    is_common_word,
    is_word,
    name_words,
    token_after,
    verb_words,
    word_zipf,
)

# A word the tagger left out after a person's name joins it only when the article writes it at
# least this often (the name's own word recurs: "بحاح" alone later) and it has this many letters.
MIN_REPEATS = 2
MIN_NAME_WORD = 3
# a word that ends with a comma is the end of a list, not the title before a name
COMMAS = "،,"
# words a name never runs across: compass nouns, participial modifiers, time words, weekdays
SPAN_STOPS = words("link/span_stops") | words("dates/weekdays")
# ب or ل with the article, attached to a word ("بالانتقام", "للسلطة"): a phrase after a person or
# a place, not part of its name (organisation names keep them: "الجمعية العامة للأمم المتحدة")
PREPOSITION_ARTICLE = ("بال", "لل")
# A word after a person's name that is a common noun (common.is_common_word: "عبد العزيز كتب") is
# not a name part; a feminine noun with an attached pronoun ("شومر معارضته") needs its
# defined form only to be common (names hardly ever take a pronoun); a future verb ("كيري
# سيزداد") is "س" + an imperfect of this frequency and at least this many letters.
POSSESSED_NOUN_ZIPF = 3.0
FUTURE_VERB_ZIPF = 3.0
# the attached pronouns a word after ب/ل may end with, and the least letters of such a word
PRONOUN_SUFFIXES = tuple(ordered("link/pronoun_suffixes"))
MIN_PRONOUN_WORD = 5
# the three nunation marks (fathatan, dammatan, kasratan)
TANWEEN = "\u064b\u064c\u064d"
# A word with the imperfect's ي (not a name the lists know: "يوسف", "يحيى") that general text
# uses this often is a verb after its subject ("جيب بوش يركز").
IMPERFECT_VERB_ZIPF = 3.5
MIN_FUTURE_VERB = 5
FEMININE_POSSESSIVES = ordered("link/feminine_possessives")
FUTURE_PREFIX = "س"
# words that join a person's name and never end it; «أبي» only after «بن» («علي بن أبي طالب»):
# alone it is "my father", or a family name («شينزو آبي»)
NAME_CONNECTORS = words("link/name_connectors")
SON_OF = frozenset({"بن", "ابن"})
KINSHIP_NOUNS = words("link/kinship_nouns")
GENITIVE_ABU = "ابي"
# a name has at most this many connectors in a row to cross («بن عبدالله بن عبدالعزيز بن سعود»)
MAX_CONNECTORS = 4
IMPERFECT_PREFIXES = "يتن"


# --- a span that runs into a verb or opens with a generic plural -----------------------------------


def _after_generic_openers(toks: list[Token]) -> int:
    """The first word after generic plurals that open a tagged span: "آخرون صالح" → "صالح"
    (one word is always kept)."""
    first = 0
    while first < len(toks) - 1 and toks[first].stem in GENERIC_OPENERS:
        first += 1
    return first


def _after_verbs(toks: list[Token], first: int) -> int:
    """The first word after verbs that open a tagged span: "زار موسكو" → "موسكو" (one word is
    always kept)."""
    verbs = verb_words()
    while first < len(toks) - 1 and toks[first].stem in verbs:
        first += 1
    return first


def _common_word(w: str) -> bool:
    """A word general text uses as a common noun or a verb, not a name: a common noun
    (is_common_word), a feminine noun with a pronoun, a future verb (see POSSESSED_NOUN_ZIPF)."""
    if w.startswith(ARTICLE) or w in name_words():
        return False
    if is_common_word(w):
        return True
    zipf = word_zipf()
    for suffix in FEMININE_POSSESSIVES:
        if w.endswith(suffix) and zipf.get(ARTICLE + w[: -len(suffix)] + "ه", 0.0) >= POSSESSED_NOUN_ZIPF:
            return True
    if w[0] == IMPERFECT_PREFIXES[0] and zipf.get(w, 0.0) >= IMPERFECT_VERB_ZIPF:
        return True  # an imperfect verb after its subject ("جيب بوش يركز", "كيليطو يرى")
    return (
        len(w) >= MIN_FUTURE_VERB
        and w[0] == FUTURE_PREFIX
        and w[1] in IMPERFECT_PREFIXES
        and zipf.get(w[1:], 0.0) >= FUTURE_VERB_ZIPF
    )


def _preposition_and_pronoun(tok: Token) -> bool:
    """A word with ب or ل before it and a pronoun after it, as written (ه, not the ة the
    normaliser folds into it): "باعتباره", "بنظارتيه", "ليخبره"."""
    w = "".join(c for c in tok.text if not is_dropped(c))
    return (
        len(w) >= MIN_PRONOUN_WORD
        and w[0] in "بل"
        and w.endswith(PRONOUN_SUFFIXES)
        and tok.norm not in name_words()
    )


def _ends_name(tok: Token, kind: str, verbs: frozenset[str]) -> bool:
    """A word inside a tagged span that the name stops before: a verb, a function or time word,
    a compass noun or a modifier ("المدعوم"), a person's title after a name; for persons and
    places a word with ب/ل and the article ("السنوسي بالانتقام")."""
    w = tok.norm
    if tok.stem in verbs or w in NAME_STOPS or w in SPAN_STOPS:
        return True
    if _preposition_and_pronoun(tok):
        return True  # "بورديو | باعتباره", "هنري | ليخبره": a name takes neither
    if kind != "MISC" and any(mark in tok.text for mark in TANWEEN):
        return True  # an indefinite noun or adverb ("رسمياً", "كوخاً"): names take no tanween
    if kind == "ORG":
        return w.startswith(ARTICLE) and w in TITLE_WORDS  # "مجلس الوزراء | الدكتور"
    if kind == "PERS" and _common_word(w):
        return True
    return w.startswith(PREPOSITION_ARTICLE) or w in PERSON_PREFIXES


def _title_after_person(toks: list[Token], i: int, kind: str) -> bool:
    """A definite title right after a person's name is the title in apposition, not a name part
    ("رائد خالد قرملي السفير"), unless the name lists know it as a name ("محمد الأمين", "الشيخ")
    or a name particle stands before it ("عبد الملك")."""
    w = toks[i].norm
    return (
        kind == "PERS"
        and w.startswith(ARTICLE)
        and w in TITLE_WORDS
        and w not in name_words()
        and toks[i - 1].norm not in NAME_PARTICLES
    )


def _ali_after_particle(toks: list[Token], i: int) -> bool:
    """علي after بن is a name ("أحمد بن علي"), not the preposition على it normalises like."""
    return toks[i].norm in PREPOSITION_NAMES and toks[i - 1].norm in NAME_PARTICLES


def _name_end(toks: list[Token], first: int, kind: str) -> int:
    """Where a tagged span that runs past its name ends: "القدس زار موسكو" → "القدس", "رجب طيب
    اردوغان الثلاثاء" → "رجب طيب اردوغان"."""
    verbs = verb_words()
    cut = next(
        (
            i
            for i in range(first + 1, len(toks))
            if (_ends_name(toks[i], kind, verbs) or _title_after_person(toks, i, kind))
            and not _ali_after_particle(toks, i)
        ),
        None,
    )
    return len(toks) if cut is None else cut


def _trimmed(doc: Document, m: Mention) -> Mention:
    """``m`` without generic plurals or verbs before the name and without what follows its end."""
    if m.sentence >= len(doc.sentences):
        return m
    toks = [t for t in doc.sentences[m.sentence].tokens if m.start <= t.start and t.end <= m.end]
    if len(toks) < 2:
        return m
    first = _after_verbs(toks, _after_generic_openers(toks))
    last = _name_end(toks, first, m.type)
    if (first, last) == (0, len(toks)):
        return m
    start, end = toks[first].start, toks[last - 1].end
    text = doc.text[start:end]
    return dataclasses.replace(m, text=text, start=start, end=end, canonical=text)


def trim_at_verbs(doc: Document, ner: list[Mention]) -> list[Mention]:
    """A tagged span stops where the name stops: before a verb ("القدس زار موسكو" → "القدس"), a
    time word, a compass noun or a modifier (_ends_name); one that opens with a generic plural or
    a verb starts after it ("آخرون صالح" → "صالح", "زار موسكو" → "موسكو")."""
    return [_trimmed(doc, m) for m in ner]


# --- a person's name the tagger cut short -------------------------------------------------------


def _with_first_name_ali(doc: Document, sent: Sentence, m: Mention) -> Mention:
    """علي after a definite word is the first name of the person tagged after it, not the
    preposition على (which normalises the same): "المخلوع علي عبدالله صالح" → "علي عبدالله صالح"."""
    toks = sent.tokens
    b = first_token(sent, m.start)
    if b is None or b < 2 or len(m.text.split()) < 2 or toks[b - 1].norm not in PREPOSITION_NAMES:
        return m
    before = toks[b - 2].norm
    if not before.startswith((ARTICLE, CONJOINED_ARTICLE)) or any(c in before for c in COMMAS):
        return m
    ali = toks[b - 1]
    start = ali.start + (1 if ali.norm.startswith(CONJUNCTION) else 0)  # "وعلي": the name without و
    text = doc.text[start : m.end]
    return dataclasses.replace(m, text=text, start=start, canonical=text)


def _may_end_a_name(w: str, counts: Counter) -> bool:
    """Whether the word after a tagged person can be the name's last word: one the article repeats
    ("خالد محفوظ" + "بحاح", written alone later), not a definite word, a conjunction, a stop,
    a title, a verb, a nationality or a gazetteer name."""
    return (
        counts[w] >= MIN_REPEATS
        and len(w) >= MIN_NAME_WORD
        and not w.startswith((ARTICLE, CONJUNCTION))
        and w not in NAME_STOPS
        and w not in SPAN_STOPS
        and w not in TITLE_WORDS
        and w not in verb_words()
        and not adjective_stem(w)
        and w not in gazetteer()
        and not _common_word(w)
    )


def _with_repeated_word(
    doc: Document, sent: Sentence, m: Mention, ner: list[Mention], counts: Counter
) -> Mention:
    """A tagged person followed by a word the article repeats on its own takes that word: the
    tagger stopped one word short ("خالد محفوظ بحاح" tagged "خالد محفوظ")."""
    toks = sent.tokens
    e = token_after(sent, m.end)
    if e is None or not is_word(toks[e]) or any(o is not m and o.start == toks[e].start for o in ner):
        return m
    if not _may_end_a_name(toks[e].norm, counts):
        return m
    text = doc.text[m.start : toks[e].end]
    return dataclasses.replace(m, text=text, end=toks[e].end, canonical=text)


def _ends_on_connector(words_: list[str]) -> bool:
    """The name's last word joins it to a next one: «بن», «آل», «أبو» …, «أبي» after «بن»."""
    last = words_[-1]
    return last in NAME_CONNECTORS or (last == GENITIVE_ABU and len(words_) > 1 and words_[-2] in SON_OF)


def _through_connectors(
    doc: Document, sent: Sentence, m: Mention, ner: list[Mention], absorbed: list[Mention]
) -> Mention:
    """A tagged person that stops on a word that joins a name («هاني آل», «علي بن أبي») takes the
    next word, or the person tagged there («هاني آل» + «إبراهيم»: added to ``absorbed``), as often
    as it stops so; not a kinship noun («ابن عم»), a stop word or «بال…»/«لل…» after it."""
    toks = sent.tokens
    for _ in range(MAX_CONNECTORS):
        b = first_token(sent, m.start)
        e = token_after(sent, m.end)
        if (
            b is None
            or e is None
            or not is_word(toks[e])
            or not _ends_on_connector([t.norm for t in toks[b:e]])
        ):
            return m
        w = toks[e].norm
        if w in SPAN_STOPS or w in NAME_STOPS or w in KINSHIP_NOUNS or w.startswith(PREPOSITION_ARTICLE):
            return m
        nxt = next((o for o in ner if o is not m and o.start == toks[e].start), None)
        if nxt is not None and nxt.type != "PERS":
            return m
        if nxt is not None:
            absorbed.append(nxt)
        end = nxt.end if nxt is not None else toks[e].end
        text = doc.text[m.start : end]
        m = dataclasses.replace(m, text=text, end=end, canonical=text)
    return m


def extend_persons(doc: Document, ner: list[Mention]) -> list[Mention]:
    """Tagged person names the tagger cut short: the first name علي before them, a word the
    article repeats after them, the word after a connector («آل», «بن»); see the rules above. A
    mention a connector's person takes in whole goes."""
    counts = Counter(t.norm for s in doc.sentences for t in s.tokens)
    out: list[tuple[Mention, Mention]] = []  # (as tagged, as extended)
    absorbed: list[Mention] = []
    for tagged in ner:
        m = tagged
        if m.type == "PERS" and m.sentence < len(doc.sentences):
            sent = doc.sentences[m.sentence]
            m = _with_first_name_ali(doc, sent, m)
            m = _with_repeated_word(doc, sent, m, ner, counts)
            m = _through_connectors(doc, sent, m, ner, absorbed)
        out.append((tagged, m))
    return [m for tagged, m in out if not any(tagged is a for a in absorbed)]
