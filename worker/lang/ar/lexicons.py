"""The structured lexicons: names (gazetteer), nationality adjectives, and the event trigger
lexicon, read from their data files once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from worker.lang.ar import rows
from worker.lang.ar.normalise import normalise


@cache
def gazetteer() -> dict[str, str]:
    """Normalised name → entity type (``names/gazetteer.tsv``)."""
    return {normalise(r[0]): r[1] for r in rows("names/gazetteer")}


@cache
def nationalities() -> dict[str, tuple[str, ...]]:
    """Adjective stem → the names of its state, the default first (``names/nationalities.tsv``)."""
    return {r[0]: tuple(s.strip() for s in r[1].split("|")) for r in rows("names/nationalities")}


# words a trigger's context stems may be looked for in, after it, unless the entry says otherwise
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


def _split(s: str) -> tuple[str, ...]:
    return tuple(x for x in (p.strip() for p in s.split(",")) if x and x != "-")


@cache
def trigger_lexicon() -> tuple[dict[str, list[Entry]], tuple[Entry, ...]]:
    """(form → entries whose first word takes that form, all entries) of ``events/triggers.tsv``."""
    from worker.lang.ar.morphology import noun_forms, verb_forms

    by_form: dict[str, list[Entry]] = {}
    entries: list[Entry] = []
    for row in rows("events/triggers"):
        etype, mode, kind, forms, nxt, flags = (*row, *["-"] * 6)[:6]
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
