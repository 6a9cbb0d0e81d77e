"""Modality of an event mention: asserted, negated, future, hypothetical or conditional.

Looks at the words of the trigger's clause that come before it (negation particles, the future
prefix س / سوف, modal verbs, conditional particles) and at the verb governing a masdar
("دعا إلى وقف إطلاق النار": the ceasefire is only asked for, so hypothetical).

Each sign is a rule below; ``modality`` tries them in a fixed order and the first that fires wins.
"""

from __future__ import annotations

from worker.lang.ar import words
from worker.lang.ar.morphology import without_conjunction
from worker.stages.document import Token

NEGATION = words("modality/negation")
FUTURE = words("modality/future")
HYPOTHETICAL = words("modality/hypothetical")
CONDITIONAL = words("modality/conditional")
# verbs whose complement event has not (yet) happened
NON_FACTIVE = words("modality/non_factive")
SENTENCE_ENDS = words("modality/sentence_ends")
CLAUSE_PUNCTUATION = words("modality/clause_punctuation")

# The future prefix س on an imperfect verb ("سيعقد", "ستنفذ"): the verb keeps at least four
# letters after it, the first of them an imperfect prefix.
FUTURE_PREFIX = "س"
IMPERFECT_PREFIXES = "يتنا"
MIN_FUTURE_VERB = 5
# "إن" (if) folds to "ان" like "أن"/"إن" (that), which are far more frequent: not conditional
# before a trigger.
AMBIGUOUS_CONDITIONAL = "ان"

# How far back from the trigger each sign is looked for, in words of its clause: the clause is
# read back at most 6 words; a negation or a modal verb governs the next 1-3 words ("لم يتم
# تنفيذ الهجوم"), a conditional particle up to 5 ("إذا لم يتم التوصل إلى اتفاق"), a future or a
# non-factive verb up to 4 ("من المقرر أن تعقد القمة", "دعا إلى وقف فوري لإطلاق النار").
CLAUSE_WINDOW = 6
NEAR_WINDOW = 3
CONDITIONAL_WINDOW = 5
FUTURE_WINDOW = 4
NON_FACTIVE_WINDOW = 4


def _future_verb(trig: str) -> bool:
    """The trigger verb carries the future prefix: "سيعقد", "وستنفذ"."""
    bare = without_conjunction(trig)
    return bare.startswith(FUTURE_PREFIX) and len(bare) >= MIN_FUTURE_VERB and bare[1] in IMPERFECT_PREFIXES


def _clause_before(tokens: tuple[Token, ...], index: int) -> list[str]:
    """The words before the trigger, nearest first, back to the sentence end or the clause
    punctuation before it (kept), at most CLAUSE_WINDOW words: "قالت الشرطة، إنه لم يتم اعتقال"
    → ["يتم", "لم", "انه", "،"]."""
    window: list[str] = []
    for j in range(index - 1, max(-1, index - 1 - CLAUSE_WINDOW), -1):
        w = tokens[j].norm
        if w in SENTENCE_ENDS:
            break
        window.append(w)
        if w in CLAUSE_PUNCTUATION and j < index - 1:
            break
    return window


def _in(window: list[str], lexicon: frozenset[str]) -> bool:
    """A word of the window is in ``lexicon``, as written or without a conjunction ("وسوف")."""
    return any(w in lexicon or without_conjunction(w) in lexicon for w in window)


def _negated(window: list[str], kind: str) -> str | None:
    """A negation right before: "لم" / "لن" / "لا" before a verb ("لم يقتل"), "عدم" / "دون"
    before a masdar ("عدم اعتقال")."""
    return "negated" if any(w in NEGATION for w in window[:NEAR_WINDOW]) else None


def _conditional(window: list[str], kind: str) -> str | None:
    """A conditional particle: "إذا تم الهجوم", "لو حصل الاعتداء"."""
    near = window[:CONDITIONAL_WINDOW]
    return "conditional" if any(w in CONDITIONAL and w != AMBIGUOUS_CONDITIONAL for w in near) else None


def _future(window: list[str], kind: str) -> str | None:
    """A future particle or a verb of intention or schedule: "سوف تعقد", "من المقرر أن يلتقي",
    "يعتزم زيارة"."""
    return "future" if _in(window[:FUTURE_WINDOW], FUTURE) else None


def _hypothetical(window: list[str], kind: str) -> str | None:
    """A modal verb of possibility, intention or attempt right before: "قد يهاجم", "حاول اغتيال",
    "يجب وقف"."""
    return "hypothetical" if _in(window[:NEAR_WINDOW], HYPOTHETICAL) else None


def _not_yet(window: list[str], kind: str) -> str | None:
    """A masdar governed by a verb whose complement has not happened: "دعا إلى وقف إطلاق
    النار", "هدد بشن هجوم"."""
    return "hypothetical" if kind == "n" and _in(window[:NON_FACTIVE_WINDOW], NON_FACTIVE) else None


# the clause rules, in the order they are tried
CLAUSE_RULES = (_negated, _conditional, _future, _hypothetical, _not_yet)


def modality(
    tokens: tuple[Token, ...],
    index: int,
    kind: str,
    date_value: str | None = None,
    published: str | None = None,
) -> str:
    """The modality of the event whose trigger is ``tokens[index]`` (``kind`` v or n). An event
    dated after the publication day is in the future."""
    if kind == "v" and _future_verb(tokens[index].norm):
        return "future"
    window = _clause_before(tokens, index)
    for rule in CLAUSE_RULES:
        found = rule(window, kind)
        if found:
            return found
    if date_value and published and date_value > published[: len(date_value)]:
        return "future"
    return "asserted"
