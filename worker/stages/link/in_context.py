"""Mentions that are no names in their sentence, though the same words may be one elsewhere.

- A relational adjective (``link/relational_adjectives``: «العربية», «الإسلامية», «الدولي»; a
  nationality alone is dropped anyway, and a name shaped like an adjective, «الزبداني», «الحوثي», is
  no such word) tagged on its own right after the definite noun it qualifies («الدول [العربية]»,
  «اللغة [العربية]»): an adjective of that noun, not a body. It is kept after a label or an
  institution's head («الجامعة العربية»: part of a name), after an indefinite noun («أسمنت العربية»,
  «قناة العربية»: maybe a name), and where the linker reads it as a longer name of the article
  («الدول العربية» for «جامعة الدول العربية»).
- A person named after a place's or body's noun and an honorific title («مدينة الملك [عبدالله]
  الرياضية», «مطار الملك [عبدالعزيز]», «مركز الملك [سلمان للإغاثة]»): the place's namesake, not a
  person acting in the news.
- A currency right after a number or an amount word («129.8 مليار [ريال]», «1500 [ريال]»): a sum of
  money; «ريال مدريد» is not after a number.
"""

from __future__ import annotations

from worker.lang.ar import words
from worker.lang.ar.morphology import without_proclitic
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Mention
from worker.stages.link.common import ARTICLE, INSTITUTION_HEADS, LOC_LABELS, ORG_LABELS

CURRENCIES = words("link/currencies")
NAMESAKE_PLACES = words("link/namesake_places")
NAMESAKE_TITLES = words("link/namesake_titles")
RELATIONAL = words("link/relational_adjectives")
AMOUNT_WORDS = words("link/amount_words")


def _word_before(doc: Document, m: Mention) -> str | None:
    """The normalised word right before the mention in its sentence, None at its start, after
    punctuation, or where the mention's word carries a proclitic («و[الأهلي]», «ل[العربية]»: the
    next item of a list, or a name governed by a preposition)."""
    if m.sentence >= len(doc.sentences):
        return None
    tokens = doc.sentences[m.sentence].tokens
    if any(t.start < m.start < t.end for t in tokens):
        return None
    before = [t for t in tokens if t.end <= m.start]
    if not before:
        return None
    word = before[-1].norm
    return word if any(c.isalnum() for c in word) else None


def _is_amount(word: str) -> bool:
    return (
        any(c.isdigit() for c in word) or without_proclitic(word)[0] in AMOUNT_WORDS or word in AMOUNT_WORDS
    )


def _one_word(doc: Document, m: Mention) -> tuple[str, str] | None:
    """The mention's one word and the word before it, both normalised; None for a person, a longer
    mention, or one with no word of its own right before it."""
    text = normalise(m.text).split()
    if len(text) != 1 or m.type == "PERS":
        return None
    before = _word_before(doc, m)
    return (text[0], before) if before is not None else None


def is_sum(doc: Document, m: Mention) -> bool:
    """A currency right after a number or an amount word («مليار [ريال]»)."""
    found = _one_word(doc, m)
    return found is not None and found[0] in CURRENCIES and _is_amount(found[1])


def is_adjective(doc: Document, m: Mention) -> bool:
    """A relational adjective right after the definite noun it qualifies («الدول [العربية]»)."""
    found = _one_word(doc, m)
    if found is None:
        return False
    word, before = found
    if not (word.startswith(ARTICLE) and word.removeprefix(ARTICLE) in RELATIONAL):
        return False
    noun = without_proclitic(before)[0]
    if not before.startswith(ARTICLE) and not noun.startswith(ARTICLE):
        return False  # «أسمنت العربية», «قناة العربية»: after an indefinite noun it may be a name
    bare = noun.removeprefix(ARTICLE)
    labels = ORG_LABELS | LOC_LABELS | INSTITUTION_HEADS
    return not (noun in labels or bare in labels or before in labels)


def without_sums(doc: Document, mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if not is_sum(doc, m)]


def without_adjectives(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Run on canonical names: an adjective whose canonical is a longer name the article uses
    («الدول العربية» read as «جامعة الدول العربية») is that name's reference, and is kept."""
    return [m for m in mentions if not (" " not in m.canonical.strip() and is_adjective(doc, m))]


def is_namesake(doc: Document, m: Mention) -> bool:
    """A person whose name follows a place's or body's noun and an honorific title (or whose span
    opens with the title right after the noun): «جامعة الأمير [سلطان]», «مدينة [الملك فهد]»."""
    if m.type != "PERS" or m.sentence >= len(doc.sentences):
        return False
    tokens = doc.sentences[m.sentence].tokens
    if any(t.start < m.start < t.end for t in tokens):
        return False  # a proclitic on the name itself: not inside a place's name
    inside = normalise(m.text).split()
    if len(inside) >= 3 and inside[1] in NAMESAKE_TITLES and _is_namesake_place(inside[0]):
        return True  # the tagger took in the whole place: «[جسر الملك فهد]»
    before = [t.norm for t in tokens if t.end <= m.start][-2:]
    if inside and inside[0] in NAMESAKE_TITLES:
        before = [*before[-1:], inside[0]]
    if len(before) < 2 or before[1] not in NAMESAKE_TITLES:
        return False
    return _is_namesake_place(before[0])


def _is_namesake_place(word: str) -> bool:
    return word in NAMESAKE_PLACES or without_proclitic(word)[0] in NAMESAKE_PLACES


def without_namesakes(doc: Document, mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if not is_namesake(doc, m)]
