"""One canonical name and one type per entity: names without labels, titles and clitics, the
fullest form the article uses, a capital standing for its state, the majority type."""

from __future__ import annotations

import dataclasses
from collections import Counter

from worker.lang.ar.lexicons import gazetteer, nationalities
from worker.lang.ar.morphology import adjective_stem, without_proclitic
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Mention, Sentence
from worker.stages.link.common import (
    ARTICLE,
    CONJOINED_ARTICLE,
    DIRECTIONS,
    FUNCTION_WORDS,
    INSTITUTION_HEADS,
    LOC_LABELS,
    NOT_NAMES,
    OFFICIAL_PLURALS,
    ORG_LABELS,
    PERSON_PREFIXES,
    TITLE_WORDS,
    first_token,
    is_common_word,
    is_nisba,
    token_after,
)

# quotes and brackets around a name ("«داعش»")
QUOTES = "«»“”\"' ()"
# "حماس والجهاد": a word longer than this that starts with و + the article opens a second name
# ("والي" is a word of its own)
MAX_CONJOINED_WORD = 4
# A capital acts (and stands for its state) when a verb of at least this many letters follows it,
# in the imperfect ("واشنطن تضيف"), or precedes it in the feminine perfect ("قالت طهران") with a
# first letter of the verbs that do (اعلنت/اكدت, وقالت, قالت, ردت, طالبت, هددت, دعت).
MIN_VERB = 4
IMPERFECT_PREFIXES = "تي"
FEMININE_PERFECT_ENDING = "ت"
ACTING_VERB_INITIALS = "اوقرطهد"
# in the vote on an entity's type, a type the tagger (or a rule that overrode it) gave counts
# twice one from a label, the gazetteer or a propagated occurrence
AUTHORITATIVE = frozenset({"ner", "rule"})
AUTHORITATIVE_VOTE = 2
OTHER_VOTE = 1


# --- a mention's canonical name ------------------------------------------------------------------


def _without_direction(words: list[str]) -> list[str]:
    """A place without the direction after it: "ريف حمص الشمالي" → "ريف حمص"."""
    if len(words) > 1 and normalise(words[-1]) in DIRECTIONS:
        return words[:-1]
    return words


def _first_of_conjoined(words: list[str]) -> list[str]:
    """The first of two names joined by a conjunction: "حماس والجهاد" → "حماس"."""
    for i in range(1, len(words)):
        if normalise(words[i]).startswith(CONJOINED_ARTICLE) and len(words[i]) > MAX_CONJOINED_WORD:
            return words[:i]
    return words


def _without_label(words: list[str]) -> list[str]:
    """A name without its place or organisation label: "محافظة عدن" → "عدن", "تنظيم داعش" →
    "داعش" (but "قوات روسية" stays: a nationality is no name)."""
    if len(words) > 1:
        head, _ = without_proclitic(normalise(words[0]))
        if head in ORG_LABELS or head in LOC_LABELS:
            rest = words[1:]
            if rest and not adjective_stem(normalise(rest[0])):
                return rest
    return words


def clean_canonical(name: str) -> str:
    """A name without a direction, a second conjoined name, a label and quotes: "ريف حمص
    الشمالي" → "حمص"."""
    words = _without_label(_first_of_conjoined(_without_direction(name.split())))
    return " ".join(words).strip(QUOTES)


def _is_prefix(word: str) -> bool:
    """A kinship word or a title that opens a person's span ("ونجله", "البابا"), or a definite
    title word ("السيناتور", "اللواء"): the name follows it."""
    w = normalise(word)
    return without_proclitic(w)[0] in PERSON_PREFIXES or (w.startswith(ARTICLE) and w in TITLE_WORDS)


def clean_person(name: str) -> str:
    """A person's name without the kinship word or title before it ("ونجله أحمد" → "أحمد",
    "البابا فرنسيس" → "فرنسيس") and the nationality after it ("كول جاك التركي" → "كول جاك")."""
    words = name.split()
    while len(words) > 1 and _is_prefix(words[0]):
        words = words[1:]
    if len(words) > 1 and adjective_stem(normalise(words[-1])):
        words = words[:-1]  # "كول جاك التركي": the nationality is not part of the name
    return " ".join(words)


def is_junk(m: Mention) -> bool:
    """Not a name: a common noun the tagger took for one ("المدينة"), a label alone ("بريف",
    "الوزارة"), nationalities ("الروسي"), officials described by nationality ("دبلوماسيون
    أوروبيون")."""
    key = normalise(m.canonical)
    if key in NOT_NAMES or len(key) < 2:
        return True
    words = key.split()
    if len(words) == 1 and without_proclitic(words[0])[0] in LOC_LABELS | ORG_LABELS | INSTITUTION_HEADS:
        return True  # a label on its own ("بريف", "الوزارة")
    if all(adjective_stem(w) for w in words):
        return True  # "الروسي", "دبلوماسيون أوروبيون" …
    if m.type == "PERS" and not (len(words) == 1 and words[0].startswith(ARTICLE)):
        # common nouns the tagger took for a person ("مقر", "بمواجهة السياسات"); a definite word
        # alone may be a family name ("المعلم")
        if all(is_common_word(w) for w in words):
            return True
    return len(words) > 1 and bool(adjective_stem(words[-1])) and words[0] in OFFICIAL_PLURALS


def clean(mentions: list[Mention], persons: bool = False) -> list[Mention]:
    """The mentions with clean canonicals (and, with ``persons``, persons without kinship
    words, titles and nationalities), junk left out."""
    out = []
    for m in mentions:
        c = clean_canonical(m.canonical)
        if persons and m.type == "PERS":
            c = clean_person(c)
        if c != m.canonical:  # most are clean already; a copy is dear at this count
            m = dataclasses.replace(m, canonical=c)
        if not is_junk(m):
            out.append(m)
    return out


# --- one canonical per entity --------------------------------------------------------------------


def _contains_words(longer: list[str], shorter: list[str]) -> bool:
    """``shorter`` occurs word by word in ``longer``."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _names_it(longer: list[str], shorter: list[str], known) -> bool:
    """Whether a longer form names what a known name (the gazetteer's) names: the name with its
    label or head before it ("تنظيم داعش", "جبهة النصرة") or with relative adjectives after it
    ("مجلس الأمن الدولي", "حزب الله اللبناني"), or a known name itself."""
    if " ".join(longer) in known:
        return True
    n = len(shorter)
    if longer[:n] == shorter:
        return all(is_nisba(w) for w in longer[n:])
    head = without_proclitic(longer[0])[0].removeprefix(ARTICLE)
    return longer[1:] == shorter and (head in ORG_LABELS | LOC_LABELS | INSTITUTION_HEADS)


def _fullest_forms(mentions: list[Mention]) -> dict[str, str]:
    """Normalised name → the fullest form of it the article uses: the longest name that contains
    it word by word ("لافروف" → "سيرغي لافروف")."""
    forms = list(dict.fromkeys(normalise(m.canonical) for m in mentions))
    by_key = {normalise(m.canonical): m.canonical for m in mentions}
    words = {key: key.split() for key in forms}  # split once, not once per pair
    mapping: dict[str, str] = {}
    known = gazetteer()
    for key in forms:
        best = key
        kw = words[key]
        for other in forms:
            ow = words[other]
            if len(ow) > len(kw) and len(other) > len(best) and _contains_words(ow, kw):
                if key in known and not _names_it(ow, kw, known):
                    continue  # "داعش" is not "الأكراد داعش", nor "مصر" "بنك مصر"
                best = other
        mapping[key] = by_key[best]
    return mapping


def _acts(sent: Sentence, k: int, m: Mention) -> bool:
    """A name written without a clitic next to a verb it is the subject of: "واشنطن تضيف",
    "قالت طهران"."""
    toks = sent.tokens
    if m.start > toks[k].start:
        return False  # "بواشنطن": after a preposition
    e = token_after(sent, m.end)
    nxt = toks[e].norm if e is not None else ""
    prev = toks[k - 1].norm if k > 0 else ""
    verb_after = len(nxt) >= MIN_VERB and nxt[0] in IMPERFECT_PREFIXES and nxt not in FUNCTION_WORDS
    verb_before = (
        len(prev) >= MIN_VERB and prev.endswith(FEMININE_PERFECT_ENDING) and prev[:1] in ACTING_VERB_INITIALS
    )
    return verb_after or verb_before


def _literal(doc: Document, mentions: list[Mention]) -> set[str]:
    """Names used at least once as a place, a destination or an object (not acting): a capital
    among them stays its own entity ("وزار الوزير كييف")."""
    out: set[str] = set()
    for m in mentions:
        if m.sentence >= len(doc.sentences):
            continue
        sent = doc.sentences[m.sentence]
        k = first_token(sent, m.start)
        if k is not None and not _acts(sent, k, m):
            out.add(normalise(m.canonical))
    return out


def _capitals_for_states(doc: Document, mentions: list[Mention], mapping: dict[str, str]) -> dict[str, str]:
    """A capital that only ever acts stands for its state when the article names the state:
    "واشنطن تفرض عقوبات … الولايات المتحدة" → "الولايات المتحدة"."""
    states = {}
    for names in nationalities().values():
        for name in names[1:]:
            states[name] = names[0]
    literal = _literal(doc, mentions)
    present = {normalise(c): c for c in mapping.values()}
    out = dict(mapping)
    for key in mapping:
        state = states.get(key)
        if state and key not in literal and state in present:
            out[key] = present[state]
    return out


def canonical_names(doc: Document, mentions: list[Mention]) -> dict[str, str]:
    """Normalised name → the entity's canonical: the fullest form, or the state for a capital."""
    return _capitals_for_states(doc, mentions, _fullest_forms(mentions))


def majority_types(mentions: list[Mention], canonical: dict[str, str]) -> dict[str, str]:
    """Canonical → the entity's type: the majority over its mentions, the tagger's and the
    overriding rules' counting double ("كييف" LOC twice, ORG once → LOC)."""
    typed: dict[str, Counter] = {}
    for m in mentions:
        vote = AUTHORITATIVE_VOTE if m.origin in AUTHORITATIVE else OTHER_VOTE
        typed.setdefault(canonical[normalise(m.canonical)], Counter())[m.type] += vote
    return {c: votes.most_common(1)[0][0] for c, votes in typed.items()}
