"""Modality of an event mention: asserted, negated, future, hypothetical or conditional.

Looks at the words of the trigger's clause that come before it (negation particles, the future
prefix س / سوف, modal verbs, conditional particles) and at the verb governing a masdar
("دعا إلى وقف إطلاق النار": the ceasefire is only asked for, so hypothetical).
"""

from __future__ import annotations

from worker.lang.ar import words
from worker.stages.document import Token

NEGATION = words("modality/negation")
FUTURE = words("modality/future")
HYPOTHETICAL = words("modality/hypothetical")
CONDITIONAL = words("modality/conditional")
# verbs whose complement event has not (yet) happened
NON_FACTIVE = words("modality/non_factive")
CLAUSE_BREAKS = words("modality/clause_breaks")


def _strip_w(word: str) -> str:
    return word[1:] if len(word) > 3 and word[0] in "وف" else word


def modality(
    tokens: tuple[Token, ...],
    index: int,
    kind: str,
    date_value: str | None = None,
    published: str | None = None,
) -> str:
    """The modality of the event whose trigger is ``tokens[index]`` (``kind`` v or n)."""
    trig = tokens[index].norm
    if kind == "v":
        bare = _strip_w(trig)
        if bare.startswith("س") and len(bare) > 4 and bare[1] in "يتنا":
            return "future"
    window: list[str] = []
    for j in range(index - 1, max(-1, index - 7), -1):
        w = tokens[j].norm
        if w in (".", "!", "؟", "?"):
            break
        window.append(w)
        if w in ("،", ",", "؛", ";", ":") and j < index - 1:
            break
    near = window[:3]
    if any(w in NEGATION for w in near):
        # "لم" / "لن" / "لا" right before a verb, or "عدم" / "دون" before a masdar
        return "negated"
    if any(w in CONDITIONAL and w != "ان" for w in window[:5]):
        return "conditional"
    if any(w in FUTURE or _strip_w(w) in FUTURE for w in window[:4]):
        return "future"
    if any(w in HYPOTHETICAL or _strip_w(w) in HYPOTHETICAL for w in near):
        return "hypothetical"
    if kind == "n" and any(w in NON_FACTIVE or _strip_w(w) in NON_FACTIVE for w in window[:4]):
        return "hypothetical"
    if date_value and published and date_value > published[: len(date_value)]:
        return "future"
    return "asserted"
