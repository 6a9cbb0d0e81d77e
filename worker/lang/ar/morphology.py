"""Arabic word structure on the normalised view: attached clitics, inflected forms of trigger
verbs and nouns, nationality adjectives.

Every stage that needs a word without its clitics asks here, so the rules (which letters, how
long a remainder must stay) are the same everywhere.
"""

from __future__ import annotations

from functools import lru_cache

from worker.lang.ar import ordered
from worker.lang.ar.lexicons import nationalities

PROCLITICS = ordered("morphology/proclitics")
ENCLITICS = ordered("morphology/enclitics")
COMPARISON_PREFIXES = ordered("morphology/comparison_prefixes")
COMPARISON_SUFFIXES = ordered("morphology/comparison_suffixes")

# A leading و/ف is a conjunction only when more than three letters remain with it ("وقال",
# "فأكد"); shorter words keep it ("وزن", "فتح").
CONJUNCTIONS = "وف"
MIN_CONJUNCTION_WORD = 4


def without_conjunction(word: str) -> str:
    """A normalised word without an attached conjunction و/ف ("وأكد" → "اكد")."""
    return word[1:] if len(word) >= MIN_CONJUNCTION_WORD and word[0] in CONJUNCTIONS else word


# Conjunction + preposition (+ article) sequences that link names, longest first: with the
# article the remainder keeps it ("وبالعراق" → "العراق"); "لل" is ل + ال ("للعراق" → "العراق").
_ARTICLE_PROCLITICS = ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل")
_BARE_PROCLITICS = ("وب", "ول", "و", "ب", "ل", "ف", "ك")
# the remainder must keep at least this many letters
MIN_STEM = 3


# Pure functions of one word, asked about every token of every article by several stages: a
# bounded cache per word type (news reuses its vocabulary) instead of the same loops again.
WORD_CACHE = 1 << 17


@lru_cache(maxsize=WORD_CACHE)
def without_proclitic(word: str) -> tuple[str, int]:
    """A normalised word without an attached conjunction/preposition: (rest, letters removed).
    The article stays with the rest ("وبالعراق" → ("العراق", 2))."""
    for pre in _ARTICLE_PROCLITICS:
        if word.startswith(pre) and len(word) >= len(pre) + MIN_STEM:
            return "ال" + word[len(pre) :], len(pre) - (1 if pre.endswith("لل") else 2)
    for pre in _BARE_PROCLITICS:
        if word.startswith(pre) and len(word) >= len(pre) + MIN_STEM:
            return word[len(pre) :], len(pre)
    return word, 0


@lru_cache(maxsize=WORD_CACHE)
def comparison_stem(word: str) -> str:
    """A normalised word without one attached proclitic (conjunction, preposition, article) and one
    suffix (pronoun, plural or dual ending), at least three letters kept; numbers and short words
    unchanged. Only for comparing two texts word by word (two prints of one release edited in
    their clitics and endings), not a morphological analysis."""
    if len(word) <= MIN_STEM or word.isdigit():
        return word
    for pre in COMPARISON_PREFIXES:
        if word.startswith(pre) and len(word) - len(pre) >= MIN_STEM:
            word = word[len(pre) :]
            break
    for suf in COMPARISON_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= MIN_STEM:
            return word[: -len(suf)]
    return word


def _by_letter(affixes: tuple[str, ...], at: int) -> dict[str, tuple[str, ...]]:
    """Letter → "" and the affixes with that letter at ``at`` (0: first, -1: last), in their order:
    only those can be the word's (readings keeps the order of PROCLITICS and ENCLITICS)."""
    return {c: ("", *(a for a in affixes if a[at] == c)) for c in {a[at] for a in affixes}}


_PROCLITICS_BY_FIRST = _by_letter(PROCLITICS, 0)
_ENCLITICS_BY_LAST = _by_letter(ENCLITICS, -1)


@lru_cache(maxsize=WORD_CACHE)
def readings(word: str) -> tuple[tuple[str, str], ...]:
    """(core, proclitic) readings of a normalised word, the bare word first. A word with the
    article takes no pronoun suffix."""
    out: list[tuple[str, str]] = []
    for pre in _PROCLITICS_BY_FIRST.get(word[:1], ("",)):
        if pre and not word.startswith(pre):
            continue
        rest = word[len(pre) :]
        if len(rest) < 2:
            continue
        for suf in _ENCLITICS_BY_LAST.get(rest[-1], ("",)):
            if suf and (not rest.endswith(suf) or pre.endswith(("ال", "لل"))):
                continue
            core = rest[: len(rest) - len(suf)] if suf else rest
            if len(core) < 2:
                continue
            out.append((core, pre))
            if suf and core.endswith("ت"):
                out.append((core[:-1] + "ه", pre))  # زيارته → زياره
    return tuple(out)


def cores(word: str) -> list[str]:
    """Readings of a normalised word with attached clitics removed, the bare word first."""
    return [c for c, _ in readings(word)]


def verb_forms(perfect: str, imperfect: str) -> set[str]:
    """Inflected forms of a verb from its perfect and imperfect (3rd masculine singular)."""
    forms = {perfect}
    if perfect[-1] in "اي":  # defective: دعا, التقي
        base = perfect[:-1]
        forms |= {base + s for s in ("ت", "وا", "يا", "تا", "ينا", "يت", "يتم")}
        forms |= {perfect + "ا"}
    else:
        forms |= {perfect + s for s in ("ت", "ا", "تا", "وا", "نا", "تم", "و")}
    if imperfect.startswith("ي"):
        stem = imperfect[1:]
        for pre in ("ي", "ت", "ن", "ا"):
            forms.add(pre + stem)
            if pre in "نا":
                continue  # first person: no suffixes
            if stem[-1] in "يو":  # يلتقي, يدعو; jussive يلتق, يدع
                forms.add(pre + stem[:-1])
                forms |= {pre + stem[:-1] + s for s in ("ون", "ان", "وا")}
            else:
                forms |= {pre + stem + s for s in ("ان", "ون", "وا", "ا")}
    return forms


def noun_forms(noun: str) -> set[str]:
    """A noun with its sound plurals, duals and the accusative alef of tanween."""
    forms = {noun, noun + "ا"}
    if noun.endswith("ه"):
        base = noun[:-1]
        forms |= {base + "ات", base + "تين", base + "تان", base + "اتها"}
    else:
        forms |= {noun + s for s in ("ات", "ين", "ان", "ون")}
    return forms


@lru_cache(maxsize=WORD_CACHE)
def adjective_stem(word: str) -> str | None:
    """ "الروسي", "الأمريكية", "وروسية", "الروس" → the adjective stem in nationalities(), else None."""
    nat = nationalities()
    w = word
    for pre in ("وال", "بال", "لل", "ال", "و"):
        if w.startswith(pre) and len(w) - len(pre) >= 3:
            w = w[len(pre) :]
            break
    for suf in ("يين", "يون", "يه", "ين", "ون", "ي"):
        if w.endswith(suf) and w[: -len(suf)] + "ي" in nat:
            return w[: -len(suf)] + "ي"
    if w in nat:
        return w
    return None
