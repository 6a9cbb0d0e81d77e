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
from functools import lru_cache
from importlib import resources

from worker.stages.arabic import ENCLITICS, PROCLITICS
from worker.stages.document import Token

DEFAULT_WINDOW = 4


@dataclass(frozen=True)
class Entry:
    type: str
    mode: str | None
    kind: str  # v | n | w
    words: tuple[str, ...]  # the lemma words of the phrase (one for a single word)
    next: tuple[str, ...]  # context stems, one of which must follow
    window: int
    flags: frozenset[str]


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


def _split(s: str) -> tuple[str, ...]:
    return tuple(x for x in (p.strip() for p in s.split(",")) if x and x != "-")


@lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, list[Entry]], tuple[Entry, ...]]:
    """(form → entries whose first word takes that form, all entries)."""
    path = resources.files("worker.resources") / "events" / "triggers.tsv"
    by_form: dict[str, list[Entry]] = {}
    entries: list[Entry] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = (raw.split("\t") + ["-"] * 6)[:6]
        etype, mode, kind, forms, nxt, flags = cols
        window = DEFAULT_WINDOW
        if ":" in nxt:
            w, nxt = nxt.split(":", 1)
            window = int(w)
        for form in _split(forms):
            if kind == "v":
                perfect, _, imperfect = form.partition("/")
                words = (perfect,)
                first_forms = verb_forms(perfect, imperfect or "ي" + perfect)
            else:
                words = tuple(form.split())
                first_forms = noun_forms(words[0]) if kind == "n" else {words[0]}
            entry = Entry(
                etype,
                None if mode == "-" else mode,
                kind,
                words,
                _split(nxt),
                window,
                frozenset(_split(flags)),
            )
            entries.append(entry)
            for f in first_forms:
                by_form.setdefault(f, []).append(entry)
    return by_form, tuple(entries)


VERB_PROCLITICS = {"", "و", "ف", "س", "وس", "فس", "ل", "ول", "فل"}
# frequent words that a clitic split would misread as a trigger ("وزارة" is not "and he visited him")
STOP_WORDS = {
    "وزاره",
    "وزارات",
    "الوزاره",
    "بوزاره",
    "لوزاره",
    "والوزاره",
    "ووزاره",
    "ايدي",
    "بايدي",
    "وزارتي",
    "وزارته",
    "وزارتها",
}


def cores(word: str) -> list[str]:
    """Readings of a folded word with attached clitics removed, the bare word first."""
    return [c for c, _ in readings(word)]


def readings(word: str) -> list[tuple[str, str]]:
    """(core, proclitic) readings of a folded word, the bare word first. A word with the article
    takes no pronoun suffix."""
    out: list[tuple[str, str]] = []
    for pre in ("", *PROCLITICS):
        if pre and not word.startswith(pre):
            continue
        rest = word[len(pre) :]
        if len(rest) < 2:
            continue
        for suf in ("", *ENCLITICS):
            if suf and (not rest.endswith(suf) or pre.endswith(("ال", "لل"))):
                continue
            core = rest[: len(rest) - len(suf)] if suf else rest
            if len(core) < 2:
                continue
            out.append((core, pre))
            if suf and core.endswith("ت"):
                out.append((core[:-1] + "ه", pre))  # زيارته → زياره
    return out


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
    by_form, _ = lexicon()
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
