"""PLOVER event triggers: a lexicon of verbs, masdar nouns and phrases, matched with light
morphology (verb inflections generated from a perfect/imperfect pair, noun plurals and duals,
attached conjunctions, prepositions, the article and pronoun suffixes).

The lexicon is ``worker/resources/events/triggers.tsv`` (its README names the sources). Matching
runs on ``Token.norm`` (the folded view), so the lexicon is written without diacritics, with
أإآ → ا, ى → ي and ة → ه.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.lang.ar import words
from worker.lang.ar.lexicons import trigger_lexicon
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
    forms = noun_forms(lemma) if kind == "n" else {lemma}
    return any(c in forms for c in cores(word))


def _stem_follows(tokens: tuple[Token, ...], start: int, stems: tuple[str, ...], window: int) -> bool:
    span = [t.norm for t in tokens[start : start + window]]
    joined = " " + " ".join(span) + " "
    for stem in stems:
        if " " in stem:
            if f" {stem}" in joined or any(f" {p}{stem}" in joined for p in ("و", "ب", "ل", "ف")):
                return True
            continue
        for w in span:
            if len(stem) <= 3:
                if w == stem or (len(w) > len(stem) and w[1:] == stem and w[0] in "وفبل"):
                    return True
                if stem in ("ب", "ل") and w.startswith(stem) and len(w) > 3:
                    return True
            elif any(c.startswith(stem) for c in (w, *cores(w))):
                return True
    return False


_ALNUM = re.compile(r"\w")


def find_triggers(tokens: tuple[Token, ...], text: str) -> list[Trigger]:
    """Every lexicon trigger among a sentence's tokens whose context condition holds."""
    by_form, _ = trigger_lexicon()
    found: list[Trigger] = []
    words = [t for t in tokens]
    i = 0
    while i < len(words):
        tok = words[i]
        if not _ALNUM.match(tok.text):
            i += 1
            continue
        hit: Trigger | None = None
        seen: set[int] = set()
        if tok.norm in STOP_WORDS:
            i += 1
            continue
        read = False
        for core, pre in readings(tok.norm):
            entries = [e for e in by_form.get(core, ()) if e.kind != "v" or pre in VERB_PROCLITICS]
            if read and entries:
                break  # a shorter reading already named a lexicon word: do not split further
            read = read or bool(entries)
            for entry in entries:
                if id(entry) in seen:
                    continue
                seen.add(id(entry))
                # the remaining words of a phrase must follow, in order, contiguously
                j = i
                ok = True
                for w in entry.words[1:]:
                    j += 1
                    while j < len(words) and not _ALNUM.match(words[j].text):
                        j += 1
                    if j >= len(words) or not _word_matches(words[j].norm, w, entry.kind):
                        ok = False
                        break
                if not ok:
                    continue
                if entry.next and not _stem_follows(words, j + 1, entry.next, entry.window):
                    continue
                last = i if "head" in entry.flags else j
                cand = Trigger(
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
                # prefer the longest phrase, then a non-weak reading
                if hit is None or (cand.last - cand.token, not cand.weak) > (
                    hit.last - hit.token,
                    not hit.weak,
                ):
                    hit = cand
        if hit is not None:
            found.append(hit)
            i = hit.last + 1 if hit.last > i and hit.kind == "n" else i + 1
        else:
            i += 1
    return found
