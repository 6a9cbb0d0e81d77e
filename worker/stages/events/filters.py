"""Rules that retype or drop trigger matches (hard negatives).

- "دعم" followed by weapons, money or relief, or by "تقديم …" is AID, not SUPPORT, and takes the
  mode of what is given (military / economic / humanitarian);
- an "attack" on an idea, a "media war", a sporting "attack" or "shot", "war on corruption" is
  not an ASSAULT; a weak violence word ("استهدف", "ضرب", "حرب", "أصيب") needs violence around it;
- a "meeting" in a sentence about sport ("لقاء ودي", "يلتقي الفريق") is a match, not a CONSULT;
- a legal category ("جرائم حرب", "مجرمي حرب") is no war that happened;
- an earthquake, storm or flood that "strikes" is not an ASSAULT;
- a cooperation noun right after a document noun ("بروتوكول تعاون", "اتفاقية للتعاون") names the
  document's subject: the signing is the event (AGREE), not a cooperation of its own;
- the mode of a generic ASSAULT trigger is read from its neighbours (جوي → airstrike,
  مفخخة/ناسفة/انتحاري → bombing, رصاص/إطلاق نار → shooting).

Each rule is a function below; ``refine`` and ``keep_trigger`` apply them in a fixed order.
"""

from __future__ import annotations

import dataclasses
import functools
import re

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
# clitics a listed word may carry in a window ("والجيش", "بالصواريخ")
ATTACHED = ordered("filters/attached")
AID_CUES = ordered("filters/aid_cues")
ASSAULT_MODES = groups("filters/assault_modes")
SPORT_LEMMAS = words("filters/sport_lemmas")
SPORT_MEETING_LEMMAS = words("filters/sport_meeting_lemmas")
MATCH_WORDS = ordered("filters/match_words")
REAL_VIOLENCE = ordered("filters/real_violence")
HAZARD_LEMMAS = words("filters/hazard_lemmas")
# words after "فجر" that make it the noun "dawn"
DAWN_NEXT = words("filters/dawn_next")
DAWN_FORMS = words("filters/dawn_forms")
DAWN_PREV = words("filters/dawn_prev")
PURPOSE_OBJECTS = ordered("filters/purpose_objects")
DOCUMENT_HEADS = ordered("filters/document_heads")
LEGAL_CATEGORY_PREV = ordered("filters/legal_category_prev")

# Windows, in tokens after the trigger's last word unless said otherwise. What is given follows
# "دعم" closely ("دعم عسكري", "دعم الجيش بالأسلحة"): 8 words; an AID trigger within those 8
# words is the same aid; when neither names a mode, a longer look (13 words) may.
AID_GIVEN_WINDOW = 8
AID_MODE_WIDE_WINDOW = 13
# an AID trigger's own mode: 2 words before it to 7 after ("مساعدات إنسانية", "قدمت … أسلحة")
AID_MODE_BEFORE, AID_MODE_AFTER = 2, 7
# an ASSAULT trigger's mode: 3 words before it to 5 after ("غارة جوية", "قصف بطائرات مسيرة")
ASSAULT_MODE_BEFORE, ASSAULT_MODE_AFTER = 3, 5
# the figurative complement comes right after the trigger ("هجوم إعلامي", "حرب على الفساد")
FIGURATIVE_WINDOW = 3
# a hazard named at most 3 words before "ضرب"/"اجتاح" or 2 after it is its subject
HAZARD_BEFORE, HAZARD_AFTER = 3, 2
# "استهدف" + the purpose is its first or second object word ("يستهدف بالأساس تحقيق")
PURPOSE_WINDOW = 2


def _window(tokens: tuple[Token, ...], a: int, b: int) -> str:
    """The folded words of tokens[a:b] (clipped at 0), space-separated with a space at each end."""
    return " " + " ".join(t.norm for t in tokens[max(0, a) : max(0, b)]) + " "


def _has(text: str, stems) -> bool:
    """A stem starts a word of ``text`` (a _window), bare or after an ATTACHED clitic: "جوي" in
    " غاره جويه ", "صاروخ" in " بالصواريخ "."""
    return bool(stems) and _word_start(stems).search(text) is not None


@functools.cache
def _word_start(stems: tuple[str, ...]) -> re.Pattern:
    """One search for what _has looks for (a space, an ATTACHED clitic or none, a stem) instead
    of a substring test per stem and clitic; ``stems`` are the lists of this module."""
    attached = "|".join(map(re.escape, ATTACHED))
    return re.compile(f" (?:{attached})?(?:{'|'.join(map(re.escape, stems))})")


def _aid_mode(text: str) -> str | None:
    """The mode of what is given, by the first group of aid_words.tsv named in ``text``."""
    for mode, stems in AID_WORDS.items():
        if _has(text, stems):
            return mode
    return None


def _support_as_aid(
    t: Trigger, tokens: tuple[Token, ...], aid_later: list[Trigger], absorbed: set[int]
) -> Trigger:
    """ "دعم" + what is given is AID with the mode of the gift: "دعم عسكري", "دعم الجيش بالأسلحة"
    (military), "دعم وتقديم المساعدات". An AID trigger that follows within the window ("دعم …
    بمساعدات") is the same aid: it is absorbed (its id added to ``absorbed``) and lends its mode."""
    after = _window(tokens, t.last + 1, t.last + 1 + AID_GIVEN_WINDOW)
    mode = _aid_mode(after)
    follower = next((a for a in aid_later if 0 < a.token - t.last <= AID_GIVEN_WINDOW), None)
    if not (mode or follower or _has(after, AID_CUES)):
        return t
    if follower is not None:
        absorbed.add(id(follower))
    return dataclasses.replace(
        t,
        type="AID",
        mode=mode
        or (follower.mode if follower else None)
        or _aid_mode(_window(tokens, t.last + 1, t.last + 1 + AID_MODE_WIDE_WINDOW)),
    )


def _aid_mode_around(t: Trigger, tokens: tuple[Token, ...]) -> Trigger:
    """An AID trigger takes the mode of what is given around it: "مساعدات إنسانية"
    (humanitarian), "قروض ومنح" (economic)."""
    near = _window(tokens, t.token - AID_MODE_BEFORE, t.last + 1 + AID_MODE_AFTER)
    return dataclasses.replace(t, mode=_aid_mode(near))


def _assault_mode(t: Trigger, tokens: tuple[Token, ...]) -> Trigger:
    """A generic ASSAULT trigger takes the mode its neighbours name: "غارة جوية" (airstrike),
    "انفجار عبوة ناسفة" (bombing), "إطلاق نار" (shooting); otherwise it keeps none."""
    near = _window(tokens, t.token - ASSAULT_MODE_BEFORE, t.last + 1 + ASSAULT_MODE_AFTER)
    for mode, stems in ASSAULT_MODES.items():
        if _has(near, stems):
            return dataclasses.replace(t, mode=mode)
    return t


def refine(trigs: list[Trigger], tokens: tuple[Token, ...]) -> list[Trigger]:
    """Retype "دعم" as AID where aid is given, and give AID and ASSAULT triggers their mode; an
    AID trigger absorbed by a preceding "دعم" is dropped."""
    out: list[Trigger] = []
    aid_later = [t for t in trigs if t.type == "AID"]
    absorbed: set[int] = set()
    for t in trigs:
        if t.type == "SUPPORT" and t.lemma == "دعم":
            t = _support_as_aid(t, tokens, aid_later, absorbed)
        elif t.type == "AID" and t.mode is None:
            t = _aid_mode_around(t, tokens)
        elif t.type == "ASSAULT" and t.mode is None:
            t = _assault_mode(t, tokens)
        out.append(t)
    return [t for t in out if id(t) not in absorbed]


def _figurative(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """An attack or war of words, politics or policy: "هجوم إعلامي", "حرب على الفساد"."""
    return _has(_window(tokens, t.last + 1, t.last + 1 + FIGURATIVE_WINDOW), FIGURATIVE_NEXT)


def _legal_category(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A war named as a legal category: "بتهمة ارتكاب جرائم حرب", "محاكمة مجرمي الحرب"."""
    if t.token == 0:
        return False
    return any(c.startswith(LEGAL_CATEGORY_PREV) for c in cores(tokens[t.token - 1].norm))


def _sporting(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A sporting attack or shot: "هاجم الفريق مرمى الخصم", "سدد اللاعب كرة" in a sentence about
    sport with no killing, gunmen or shelling."""
    if t.lemma not in SPORT_LEMMAS:
        return False
    sentence = _window(tokens, 0, len(tokens))
    return _has(sentence, SPORTS) and not _has(sentence, REAL_VIOLENCE)


def _sporting_match(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A match between teams: "خاض الفريق ثاني لقاءاته الودية", "يلتقي المنتخب مع" in a sentence
    that speaks of a match played, with no killing, gunmen or shelling."""
    if t.type != "CONSULT" or t.lemma not in SPORT_MEETING_LEMMAS:
        return False
    sentence = _window(tokens, 0, len(tokens))
    return _has(sentence, MATCH_WORDS) and not _has(sentence, REAL_VIOLENCE)


def _hazard_strikes(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A natural hazard that strikes: "ضرب زلزال المنطقة", "الإعصار الذي اجتاح الساحل"."""
    if t.lemma not in HAZARD_LEMMAS:
        return False
    return _has(_window(tokens, t.token - HAZARD_BEFORE, t.last + 1 + HAZARD_AFTER), NATURAL_HAZARDS)


def _weak_without_violence(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A weak violence word with no violence elsewhere in the sentence: "استهدف الأسواق
    الخارجية", "ضرب مثالا"."""
    if not t.weak:
        return False
    others = " ".join(w.norm for k, w in enumerate(tokens) if not t.token <= k <= t.last)
    return not _has(" " + others + " ", VIOLENCE)


def _dawn_noun(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """ "فجر" as the noun "dawn" ("فجر أمس", "في فجر اليوم"), not the verb "detonated"."""
    if t.lemma != "فجر" or t.kind != "v" or tokens[t.token].norm not in DAWN_FORMS:
        return False
    nxt = tokens[t.last + 1].norm if t.last + 1 < len(tokens) else ""
    prev = tokens[t.token - 1].norm if t.token > 0 else ""
    return nxt in DAWN_NEXT or prev in DAWN_PREV


def _aims_at_purpose(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """ "استهدف" of a purpose rather than of a target: "يستهدف تحقيق الاستقرار"."""
    return t.lemma == "استهدف" and any(
        c.startswith(PURPOSE_OBJECTS)
        for w in tokens[t.last + 1 : t.last + 1 + PURPOSE_WINDOW]
        for c in cores(w.norm)
    )


# the hard-negative rules for ASSAULT triggers, in the order they are tried
HARD_NEGATIVES = (
    _figurative,
    _legal_category,
    _sporting,
    _hazard_strikes,
    _weak_without_violence,
    _dawn_noun,
    _aims_at_purpose,
)


def _document_subject(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """A cooperation noun that names what a document is about: "بروتوكول تعاون", "اتفاقية
    للتعاون" (the word right before it is a document noun). Either reading: a bare "تعاون" there is
    the noun, not the verb "cooperated" (a document does not cooperate)."""
    if t.type != "COOPERATE" or t.token == 0:
        return False
    return any(c.startswith(DOCUMENT_HEADS) for c in cores(tokens[t.token - 1].norm))


def keep_trigger(t: Trigger, tokens: tuple[Token, ...]) -> bool:
    """False for a hard negative."""
    if _document_subject(t, tokens) or _sporting_match(t, tokens):
        return False
    if t.type != "ASSAULT":
        return True
    return not any(rule(t, tokens) for rule in HARD_NEGATIVES)
