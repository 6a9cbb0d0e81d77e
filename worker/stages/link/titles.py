"""Persons named after their title: "وزير الخارجية الأمريكي أنتوني بلينكن" → "أنتوني بلينكن".

The title is a head (TITLE_WORDS) and its definite words (office, nationality); the name is one to
three indefinite words after it, and a definite family name after them."""

from __future__ import annotations

from dataclasses import dataclass

from worker.lang.ar.lexicons import gazetteer
from worker.lang.ar.morphology import adjective_stem
from worker.lang.ar.normalise import is_dropped, normalise
from worker.stages.document import Document, Mention, Token
from worker.stages.link.common import (
    ARTICLE,
    CONJUNCTION,
    DEFINITE,
    INSTITUTION_HEADS,
    NAME_STOPS,
    PREPOSITION_NAMES,
    TITLE_CONTINUATIONS,
    TITLE_SCORE,
    TITLE_WORDS,
    is_common_word,
    is_word,
    name_words,
    verb_words,
)
from worker.stages.link.spans import SPAN_STOPS

# A title is its head and at most this many words after it ("رئيس مجلس الوزراء العراقي السابق"):
# a longer definite run is a sentence going on, not a title.
TITLE_WINDOW = 5
# A name after a title has at most three words before a family name ("عبدربه منصور هادي"); the
# third only when the tagger saw it.
MAX_GIVEN_NAMES = 3
THIRD_NAME = 2  # index (from the name's first word) of that third word
# Longer than this, a word ending in ا is an accusative noun or adverb ("عددا", "مؤخرا") and one
# starting with ي/ت an imperfect verb ("يؤكد"), not a name ("رضا" and "تيم" are short).
MAX_SHORT_WORD = 3
ACCUSATIVE_ENDING = "ا"
YA_ENDING = "يا"  # names end so ("ماريا", "سوريا"): not an accusative
IMPERFECT_PREFIXES = "يت"
YA = "ي"  # the name علي ends so; the preposition على ends in ى (both normalise to ي)
# A family name with the article has at least this many letters ("المالكي"); shorter definite
# words after a name are function words or common nouns ("الان", "الي").
MIN_FAMILY_NAME = 5
# After an office ("وزير الخارجية"), two name words make a name even when the tagger saw neither.
MIN_UNTAGGED_NAME = 2


@dataclass(frozen=True)
class _Persons:
    """What the tagger found as persons: spans and the normalised words of their names."""

    spans: tuple[Mention, ...]
    words: frozenset[str]

    @classmethod
    def of(cls, ner: list[Mention]) -> _Persons:
        spans = tuple(m for m in ner if m.type == "PERS")
        return cls(spans, frozenset(w for m in spans for w in normalise(m.canonical).split()))

    def tagged(self, tok: Token) -> bool:
        """Whether the tagger saw ``tok`` as part of a person's name."""
        return any(m.start <= tok.start < m.end for m in self.spans)

    def overlap(self, start: int, end: int) -> bool:
        """Whether a tagged person overlaps ``start``–``end``."""
        return any(m.start < end and start < m.end for m in self.spans)


def _opens_title(tok: Token) -> bool:
    """A title head, with or without a clitic: "وزير", "والرئيس", "للمتحدث"."""
    return tok.norm in TITLE_WORDS or tok.stem in TITLE_WORDS


def _continues_title(toks: tuple[Token, ...], j: int) -> bool:
    """A word of the title after its head: a definite word or a nationality ("وزير الخارجية
    الأمريكي"), "باسم"/"عام" ("المتحدث باسم الجيش"), or an institution head before a definite
    word ("رئيس مجلس الوزراء")."""
    w = toks[j].norm
    if w.startswith(DEFINITE) or adjective_stem(w) or w in TITLE_CONTINUATIONS:
        return True
    return w in INSTITUTION_HEADS and j + 1 < len(toks) and toks[j + 1].norm.startswith(ARTICLE)


def _title_end(toks: tuple[Token, ...], k: int) -> int:
    """The first word after the title opened at ``k``: "وزير الخارجية الكندي | جان مارتان"."""
    j = k + 1
    while j < len(toks) and j - k <= TITLE_WINDOW and is_word(toks[j]) and _continues_title(toks, j):
        j += 1
    return j


def _ali_is_a_name(toks: tuple[Token, ...], j: int, persons: _Persons) -> bool:
    """ "علي" after a title is the first name where the tagger saw it or the word after it as a
    person ("الرئيس علي عبدالله صالح"), or where it is written with ي, not the preposition's ى,
    before a word the name lists know ("المرشد الأعلى علي خامنئي"); else it is the preposition
    على, which normalises the same."""
    if persons.tagged(toks[j]) or persons.tagged(toks[j + 1]):
        return True
    written = "".join(c for c in toks[j].text if not is_dropped(c))
    after = toks[j + 1].norm
    return written.endswith(YA) and after in name_words() and not is_common_word(after)


def _ends_name(w: str) -> bool:
    """A word that cannot be in a name after a title: a stop word, another title, a definite
    word or a nationality ("جان مارتان | الذي", "بلينكن | الأمريكي")."""
    return w in NAME_STOPS or w in TITLE_WORDS or w.startswith(DEFINITE) or bool(adjective_stem(w))


def _is_common_word(w: str) -> bool:
    """A conjunction ("وقال"), or an accusative common noun or adverb ("عددا", "مؤخرا")."""
    if w[:1] == CONJUNCTION:
        return True
    return len(w) > MAX_SHORT_WORD and w.endswith(ACCUSATIVE_ENDING) and not w.endswith(YA_ENDING)


def _is_name_word(toks: tuple[Token, ...], j: int, n0: int, persons: _Persons) -> bool:
    """Whether word ``j`` continues the name that starts at ``n0`` after a title: "وزير الخارجية
    الكندي جان مارتان" → "جان مارتان"; "وزير الخارجية يؤكد" → no name (an imperfect verb)."""
    w = toks[j].norm
    if w in PREPOSITION_NAMES and j + 1 < len(toks):
        if not _ali_is_a_name(toks, j, persons):
            return False
    elif _ends_name(w) or toks[j].stem in verb_words():
        return False  # "قائد فيلق القدس | زار موسكو": a verb, not a name
    if _is_common_word(w):
        return False
    if is_common_word(w) and not persons.tagged(toks[j]):
        return False  # a common noun is in no name ("رئيس المجلس السابق | عضو الائتلاف")
    if len(w) > MAX_SHORT_WORD and w[0] in IMPERFECT_PREFIXES and j == n0 and w not in persons.words:
        return False  # an imperfect verb ("يؤكد")
    # a third word only when the tagger saw it ("عبدربه منصور هادي")
    return not (j - n0 == THIRD_NAME and w not in persons.words and not persons.tagged(toks[j]))


def _given_names_end(toks: tuple[Token, ...], n0: int, persons: _Persons) -> int:
    """The end of the one to three indefinite words of the name after a title: "جان مارتان"."""
    j = n0
    while (
        j < len(toks)
        and j - n0 < MAX_GIVEN_NAMES
        and is_word(toks[j])
        and _is_name_word(toks, j, n0, persons)
    ):
        j += 1
    return j


def _is_family_name(tok: Token) -> bool:
    """A definite family name after the given names: "عز الدين الأصبحي", "رياض المالكي" (not a
    stop word, a nationality or a gazetteer name: "رياض | السعودية")."""
    w = tok.norm
    return (
        is_word(tok)
        and w.startswith(ARTICLE)
        and w not in NAME_STOPS
        and w not in SPAN_STOPS
        and adjective_stem(w) is None
        and w not in gazetteer()
        and len(w) >= MIN_FAMILY_NAME
    )


def _is_credible(toks: tuple[Token, ...], n0: int, j: int, chain: int, persons: _Persons) -> bool:
    """A name after a title is kept when the tagger saw part of it or its words elsewhere, or
    when two words follow an office: "وزير الخارجية الكندي جان مارتان" (chain = the title's
    definite words, here 2)."""
    if persons.overlap(toks[n0].start, toks[j - 1].end):
        return True
    if {toks[i].norm for i in range(n0, j)} & persons.words:
        return True
    return chain > 0 and j - n0 >= MIN_UNTAGGED_NAME


def _name_after_title(doc: Document, si: int, k: int, persons: _Persons) -> Mention | None:
    """The person named after the title that opens at word ``k`` of sentence ``si``, if any."""
    toks = doc.sentences[si].tokens
    n0 = _title_end(toks, k)
    chain = n0 - k - 1  # definite words of the title (office, nationality)
    j = _given_names_end(toks, n0, persons)
    if j == n0:
        return None
    if j < len(toks) and _is_family_name(toks[j]):
        # a common word the tagger left out is the verb's object, not a family name
        # ("الأمير محمد بن سلمان | الشكر", "الرئيس محمد بخاري | السلطة")
        if persons.tagged(toks[j]) or not is_common_word(toks[j].norm):
            j += 1
    if not _is_credible(toks, n0, j, chain, persons):
        return None
    start, end = toks[n0].start, toks[j - 1].end
    name = doc.text[start:end]
    if normalise(name) in gazetteer():
        return None  # "وزير خارجية إيران": a title before a place
    return Mention(name, "PERS", start, end, name, si, TITLE_SCORE, "rule")


def title_names(doc: Document, ner: list[Mention]) -> list[Mention]:
    """A person's name right after a title: the title head, its definite words (office,
    nationality), then one to three indefinite words, and a definite family name after them
    ("وزير الداخلية السابق سعيد الخالدي"). Kept when the tagger saw part of it as a person, or
    when two name words follow an office."""
    persons = _Persons.of(ner)
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        for k, tok in enumerate(sent.tokens):
            if not _opens_title(tok):
                continue
            m = _name_after_title(doc, si, k, persons)
            if m is not None:
                out.append(m)
    return out
