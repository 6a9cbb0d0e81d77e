"""PLOVER event triggers: a lexicon of verbs, masdar nouns and phrases, matched with light
morphology (verb inflections generated from a perfect/imperfect pair, noun plurals and duals,
attached conjunctions, prepositions, the article and pronoun suffixes).

The lexicon is ``worker/lang/ar/events/triggers.tsv`` (its README names the sources). Matching
runs on ``Token.norm`` (the folded view), so the lexicon is written without diacritics, with
أإآ → ا, ى → ي and ة → ه.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from worker.lang.ar import words
from worker.lang.ar.lexicons import Entry, trigger_lexicon
from worker.lang.ar.morphology import cores, noun_forms, readings
from worker.stages.document import Token


@dataclass(frozen=True)
class Trigger:
    type: str
    mode: str | None
    start: int
    end: int
    text: str
    token: int  # index of the first token in the sentence
    last: int  # index of the last token of the matched phrase (context words excluded)
    kind: str
    lemma: str
    weak: bool
    reach: int = -1  # last token index its context condition looked at
    prefix: str = ""  # the proclitic attached to the first word


VERB_PROCLITICS = words("triggers/verb_proclitics") | {""}  # "" = no proclitic
# frequent words that a clitic split would misread as a trigger ("وزارة" is not "and he visited him")
STOP_WORDS = words("triggers/stop_words")


def _word_matches(word: str, lemma: str, kind: str) -> bool:
    """A later word of a phrase entry: a reading of ``word`` is ``lemma`` (for a noun, one of its
    forms: "النار" for "نار", "الغارات" for "غاره")."""
    forms = noun_forms(lemma) if kind == "n" else {lemma}
    return any(c in forms for c in cores(word))


CONTEXT_PREFIXES = words("triggers/context_prefixes")
PREPOSITION_STEMS = words("triggers/preposition_stems")
# A context stem of at most 3 letters ("عن", "منح", "ب") must be a whole word, with at most one
# attached prefix letter; a longer one may start any reading of a word ("اتفاق" in "والاتفاقية").
MAX_SHORT_STEM = 3
# a word that starts with a preposition stem ("بشن") keeps more than 3 letters
MIN_PREPOSITION_WORD = 4


def _short_stem_is(w: str, stem: str) -> bool:
    """A short context stem is the word itself, with one attached letter ("عن" in "وعن"), or a
    preposition letter starting a longer word ("ب" in "بشن": "هدد بشن هجوم")."""
    if w == stem or (len(w) > len(stem) and w[1:] == stem and w[0] in CONTEXT_PREFIXES):
        return True
    return stem in PREPOSITION_STEMS and w.startswith(stem) and len(w) >= MIN_PREPOSITION_WORD


def _stem_follows(tokens: tuple[Token, ...], start: int, stems: tuple[str, ...], window: int) -> bool:
    """A context stem of the trigger's lexicon entry starts a word within ``window`` words from
    ``start``: "وقع" is AGREE only before "اتفاق", "معاهدة" … ("وقع الطرفان اتفاقا"); a stem with
    a space is a phrase ("وقف اطلاق النار")."""
    span = [t.norm for t in tokens[start : start + window]]
    joined = " " + " ".join(span) + " "
    for stem in stems:
        if " " in stem:
            if f" {stem}" in joined or any(f" {p}{stem}" in joined for p in CONTEXT_PREFIXES):
                return True
            continue
        for w in span:
            if len(stem) <= MAX_SHORT_STEM:
                if _short_stem_is(w, stem):
                    return True
            elif any(c.startswith(stem) for c in (w, *cores(w))):
                return True
    return False


_ALNUM = re.compile(r"\w")


def _phrase_end(words: tuple[Token, ...], i: int, entry: Entry) -> int | None:
    """The index of the last word of a phrase entry starting at ``i``: its remaining words must
    follow in order, with only punctuation between them ("وقف إطلاق النار", "شن غارة"); None when
    they do not."""
    j = i
    for w in entry.words[1:]:
        j += 1
        while j < len(words) and not _ALNUM.match(words[j].text):
            j += 1
        if j >= len(words) or not _word_matches(words[j].norm, w, entry.kind):
            return None
    return j


def _candidate(words: tuple[Token, ...], i: int, j: int, entry: Entry, pre: str, text: str) -> Trigger:
    """The trigger an entry matched at words ``i``..``j`` (its span the first word only for a
    "head" entry: "وقع" of "وقع اتفاقا")."""
    last = i if "head" in entry.flags else j
    return Trigger(
        entry.type,
        entry.mode,
        words[i].start,
        words[last].end,
        text[words[i].start : words[last].end] if text else "",
        i,
        j,
        entry.kind,
        " ".join(entry.words),
        "weak" in entry.flags,
        j + entry.window if entry.next else j,
        pre,
    )


def _better(cand: Trigger, hit: Trigger | None) -> bool:
    """The longest phrase wins ("وقف إطلاق النار" over "إطلاق النار"), then a non-weak reading."""
    return hit is None or (cand.last - cand.token, not cand.weak) > (hit.last - hit.token, not hit.weak)


def _entries(by_form: dict[str, list[Entry]], core: str, pre: str) -> list[Entry]:
    """The lexicon entries of a reading; a verb only with a proclitic a verb can take ("وقتل",
    "سيقتل", not "بقتل")."""
    return [e for e in by_form.get(core, ()) if e.kind != "v" or pre in VERB_PROCLITICS]


def _trigger_at(
    words: tuple[Token, ...], i: int, by_form: dict[str, list[Entry]], text: str
) -> Trigger | None:
    """The best trigger starting at word ``i``, over the readings of the word (morphology.readings:
    "والهجوم" → "والهجوم", "هجوم", …). Once a reading names a lexicon word, the shorter readings
    after it are not tried."""
    hit: Trigger | None = None
    seen: set[int] = set()
    read = False
    for core, pre in readings(words[i].norm):
        entries = _entries(by_form, core, pre)
        if read and entries:
            break  # a shorter reading already named a lexicon word: do not split further
        read = read or bool(entries)
        for entry in entries:
            if id(entry) in seen:
                continue
            seen.add(id(entry))
            j = _phrase_end(words, i, entry)
            if j is None:
                continue
            if entry.next and not _stem_follows(words, j + 1, entry.next, entry.window):
                continue
            cand = _candidate(words, i, j, entry, pre, text)
            if _better(cand, hit):
                hit = cand
    return hit


@lru_cache(maxsize=1 << 16)
def _may_start_trigger(norm: str) -> bool:
    """Some reading of the word is the first word of a lexicon entry (else _trigger_at finds
    nothing there): decided once per word type, not by reading every token again."""
    by_form, _ = trigger_lexicon()
    return any(core in by_form for core, _ in readings(norm))


def find_triggers(tokens: tuple[Token, ...], text: str) -> list[Trigger]:
    """Every lexicon trigger among a sentence's tokens whose context condition holds. After a
    noun phrase the search goes on past its last word; after a verb, at the next word."""
    by_form, _ = trigger_lexicon()
    found: list[Trigger] = []
    i = 0  # the positions before it are inside a noun phrase found
    for k in [k for k, tok in enumerate(tokens) if _may_start_trigger(tok.norm)]:
        tok = tokens[k]
        if k < i or not _ALNUM.match(tok.text) or tok.norm in STOP_WORDS:
            continue
        hit = _trigger_at(tokens, k, by_form, text)
        i = k + 1
        if hit is not None:
            found.append(hit)
            if hit.last > k and hit.kind == "n":
                i = hit.last + 1
    return found
