"""Rules that retype or drop trigger matches (hard negatives).

- "دعم" followed by weapons, money or relief, or by "تقديم …" is AID, not SUPPORT, and takes the
  mode of what is given (military / economic / humanitarian);
- an "attack" on an idea, a "media war", a sporting "attack" or "shot", "war on corruption" is
  not an ASSAULT; a weak violence word ("استهدف", "ضرب", "حرب", "أصيب") needs violence around it;
- an earthquake, storm or flood that "strikes" is not an ASSAULT;
- the mode of a generic ASSAULT trigger is read from its neighbours (جوي → airstrike,
  مفخخة/ناسفة/انتحاري → bombing, رصاص/إطلاق نار → shooting).
"""

from __future__ import annotations

import dataclasses

from worker.lang.ar import groups, ordered, words
from worker.lang.ar.morphology import cores
from worker.stages.document import Token
from worker.stages.events.triggers import Trigger

VIOLENCE = ordered("filters/violence")
# words after "هجوم/حرب/معركة/…" that make it figurative
FIGURATIVE_NEXT = ordered("filters/figurative_next")
SPORTS = ordered("filters/sports")
# natural hazards that "strike" ("الزلازل التي ضربت", "ضربت عاصفة"): not an attack
NATURAL_HAZARDS = ordered("filters/natural_hazards")
AID_WORDS = groups("filters/aid_words")


def _window(tokens: tuple[Token, ...], a: int, b: int) -> str:
    return " " + " ".join(t.norm for t in tokens[max(0, a) : max(0, b)]) + " "


def _has(text: str, stems) -> bool:
    return any(
        f" {s}" in text or any(f" {p}{s}" in text for p in ("و", "ب", "ل", "ال", "وال", "بال", "لل"))
        for s in stems
    )


def _aid_mode(text: str) -> str | None:
    for mode, stems in AID_WORDS.items():
        if _has(text, stems):
            return mode
    return None


def refine(trigs: list[Trigger], tokens: tuple[Token, ...]) -> list[Trigger]:
    out: list[Trigger] = []
    aid_later = [t for t in trigs if t.type == "AID"]
    absorbed: set[int] = set()
    for t in trigs:
        if t.type == "SUPPORT" and t.lemma == "دعم":
            after = _window(tokens, t.last + 1, t.last + 9)
            mode = _aid_mode(after)
            follower = next((a for a in aid_later if 0 < a.token - t.last <= 8), None)
            if mode or follower or _has(after, ("مساعد", "معون", "تقديم", "تزويد")):
                if follower is not None:
                    absorbed.add(id(follower))
                t = dataclasses.replace(
                    t,
                    type="AID",
                    mode=mode
                    or (follower.mode if follower else None)
                    or _aid_mode(_window(tokens, t.last + 1, t.last + 14)),
                )
        elif t.type == "AID" and t.mode is None:
            t = dataclasses.replace(t, mode=_aid_mode(_window(tokens, t.token - 2, t.last + 8)))
        elif t.type == "ASSAULT" and t.mode is None:
            near = _window(tokens, t.token - 3, t.last + 6)
            if _has(near, ("جوي", "جويه", "طيران", "طائر", "مقاتلات")):
                t = dataclasses.replace(t, mode="airstrike")
            elif _has(near, ("مفخخ", "ناسف", "انتحاري", "عبو", "متفجر")):
                t = dataclasses.replace(t, mode="bombing")
            elif _has(near, ("رصاص", "اطلاق النار", "اطلاق نار", "مسلح")):
                t = dataclasses.replace(t, mode="shooting")
        out.append(t)
    return [
        t
        for t in out
        if id(t) not in absorbed
        and not (t.type == "AID" and any(id(a) == id(t) for a in aid_later) and id(t) in absorbed)
    ]


# words after "فجر" that make it the noun "dawn"
DAWN_NEXT = words("filters/dawn_next")


def keep_trigger(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """False for a hard negative."""
    if t.type != "ASSAULT":
        return True
    nxt = _window(tokens, t.last + 1, t.last + 4)
    sentence = _window(tokens, 0, len(tokens))
    if _has(nxt, FIGURATIVE_NEXT):
        return False
    # sporting attacks and shots
    if (
        t.lemma in ("هجوم", "هاجم", "هجمه", "ضرب", "سدد")
        and _has(sentence, SPORTS)
        and not _has(sentence, ("قتل", "قتيل", "مسلح", "قذائف", "انفجار", "غاره"))
    ):
        return False
    # a hazard named just before or after "ضرب"/"اجتاح" is its subject
    if t.lemma in ("ضرب", "اجتاح") and _has(_window(tokens, t.token - 3, t.last + 3), NATURAL_HAZARDS):
        return False
    if t.weak:
        others = " ".join(w.norm for k, w in enumerate(tokens) if not t.token <= k <= t.last)
        if not _has(" " + others + " ", VIOLENCE):
            return False
    # "فجر" as the noun "dawn" ("فجر أمس", "في فجر اليوم"), not the verb "detonated"
    if t.lemma == "فجر" and t.kind == "v":
        word = tokens[t.token].norm
        nxt1 = tokens[t.last + 1].norm if t.last + 1 < len(tokens) else ""
        prev = tokens[t.token - 1].norm if t.token > 0 else ""
        if word in ("فجر", "وفجر") and (
            nxt1 in DAWN_NEXT or prev in ("في", "وفي", "منذ", "حتي", "قبيل", "مع", "عند")
        ):
            return False
    # "استهدف" of a purpose ("يستهدف تحقيق") rather than of a target
    if t.lemma == "استهدف" and any(
        c.startswith(("تحقيق", "تعزيز", "تطوير", "دعم", "زياده", "رفع", "خفض"))
        for w in tokens[t.last + 1 : t.last + 3]
        for c in cores(w.norm)
    ):
        return False
    return True
