"""Is an ASSAULT or PROTEST mention a new, specific, factual report of one happening?

News sentences name attacks and protests in many ways that are not reports of a happening: a
past attack recalled as background ("منذ هجمات 2001"), an attack referred to by a definite noun
("الهجوم", "عملية الخطف") in a sentence about something else (an investigation, a statement, a
suspect), a plot or an attempt ("محاولة اغتيال", "مخطط لتفجير"), a generic or habitual
statement ("الهجمات الإرهابية تهدد …"), a question. Event-data annotation (e.g. the OEDA gold
standard policy) counts a sentence as reporting the event only when it gives the happening
itself with some of its particulars: who did it or who was hit, how many were killed or wounded,
where, when.

``specific`` scores those particulars on the trigger's sentence (all on the folded view):

- victims counted ("مقتل 31 شخصا", "قتل جنديان", "شخصا قتل", "أحد عناصر الشرطة", "مئات المتظاهرين");
- a time anchor of the news day ("أمس", a weekday, "فجر/صباح/مساء", "الليلة الماضية");
- a place anchor (a place label or a LOC mention after "في"/"بـ", a compass bearing, "كلم");
- an attacker or crowd described ("مسلحون مجهولون", "انتحاري", "مئات من …");
- an attack instrument ("سيارة مفخخة", "عبوة ناسفة", "قذائف هاون") for ASSAULT, the purpose
  ("احتجاجا على", "للمطالبة") for PROTEST;
- the trigger a finite verb rather than a noun;

and takes points off for an attempt, plot, suspect or trial, pluperfect background ("كان قد",
"منذ", "عام 2001"), a definite noun trigger with no particulars, a generic plural, a question.
A mention that scores below the threshold refers to a happening rather than reporting it.
"""

from __future__ import annotations

import re

from worker.lang.ar import ordered, words
from worker.stages.document import Token

# attached conjunction / preposition / article before a stem
PRE = r"(?:و|ف|ب|ل|ك|ال|وال|بال|لل|فال|وب|ول|وبال)?"

NUMBER = (
    r"(\d+|اثن\S*|ثلاث\S*|اربع\S*|خمس\S*|ست\S*|سبع\S*|ثمان\S*|تسع\S*|عشر\S*|عشرات|مئات|الاف|الآف"
    r"|مئه|مائه|مائتي|عده|بضع\S*|احد|احدي|عدد)"
)
VICTIM = (
    r"(شخص\S*|اشخاص|جندي\S*|جنود|مدني\S*|عنصر\S*|عناصر|مسلح\S*|شرطي\S*|رجال|رجل|امراه|نساء|اطفال"
    r"|طفل\S*|مواطن\S*|عراقي\S*|فلسطيني\S*|افغان\S*|باكستاني\S*|متمرد\S*|مقاتل\S*|ضابط\S*|حارس\S*"
    r"|مهندس\S*|موظف\S*|عامل\S*|طالب\S*|صحافي\S*|قتيل\S*|قتلي|جرحي|جريح\S*|مصاب\S*|رهائن|رهين\S*"
    r"|متظاهر\S*|محتج\S*|معتصم\S*|طلاب|عمال|انصار|الالاف|المئات|الاف)"
)
_COUNT = re.compile(rf"(^| ){NUMBER} (\S+ ){{0,3}}?{VICTIM}( |$)")
_KILLED_COUNT = re.compile(
    rf"(^| ){PRE}(قتل|مقتل|اصابه|جرح|اغتيال|خطف|اختطاف|مصرع|اعتقال)\S* (\S+ )?{NUMBER}( |$)"
)
# an indefinite singular or dual victim right before a passive/perfect killing verb ("شخصا قتل")
_INDEF_VICTIM = re.compile(
    r"(^| )(شخصا|جنديا|شرطيا|مدنيا|طفلا|مواطنا|مسلحا|ضابطا|جنديان|جنديين|شخصان|شخصين|مدنيين اثنين"
    r"|\S+ان|\S+ين) (\S+ )?(قتل|قتلا|قتلوا|اصيب|جرح|خطف|اختطف|لقي|لقيا|لقوا)( |$)"
)
_TIME = re.compile(
    r"(^| )(و?امس|اليوم|الليله|و?صباح|و?مساء|فجر|فجرا|ظهر|ظهرا|ليلا|الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس"
    r"|الجمعه|السبت|اول امس|اول من امس)( |$)|(^| )(الاسبوع|الليله) (الماضي|الماضيه)( |$)"
    r"|(^| )\d{1,2} (يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر"
    r"|كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|اب|ايلول|تشرين)"
)
# a target named by what it is ("حاجز للشرطة", "موكب", "سوق شعبي")
_TARGET = re.compile(
    rf"(^| ){PRE}(مقر|مكتب|حاجز|تفتيش|سوق|مسجد|جامع|منزل|فندق|معبر|قاعده|مركز|دوري|قافل|موكب|حافل|ثكن"
    r"|معسكر|مجمع|مبني|مباني|كنيس|سفار|مطار|نقط)\S*( |$)"
)
# the trigger depends on another clause: "بعد الهجوم", "إثر مقتل", "على الرغم من", "الذي خطف"
SUBORDINATE = words("specificity/subordinate")
_UPDATE = re.compile(rf"(^| ){PRE}(حصيله|ارتفع|ارتفاع|ارتفعت|حتي الان|هذا العام|هذا الشهر|اجمالي)\S*( |$)")
_PLACE = re.compile(
    r"(^| )(في|ب|بالقرب|قرب|وسط|عند)? ?(مدينه|منطقه|محافظه|بلده|قريه|حي|ولايه|اقليم|ضاحيه|ناحيه|قضاء|سوق|شارع|بمدينه"
    r"|بمنطقه|بمحافظه|ببلده|بقريه|بحي)( |$)|(^| )(شمال|جنوب|شرق|غرب)\S* |(^| )كلم( |$)|(^| )كم( |$)"
)
_AGENT = re.compile(
    r"(^| )(مسلح\S*|مجهول\S*|انتحاري\S*|انتحاريه|مهاجم\S*|متمرد\S*|الخاطف\S*|خاطف\S*|مقاتل\S*|قوه|قوات|طائر\S*|مروحي\S*|دباب\S*)( |$)"
)
_INSTRUMENT = re.compile(
    r"(مفخخ|ناسف|قذائف|قذيفه|هاون|صاروخ|صواريخ|حزام|رصاص|قنبل|متفجر|ملغوم|عبوه|عبوات|مدفع|اسلحه خفيفه)"
)
_PURPOSE = re.compile(
    r"(^| )(احتجاجا|احتجاج|تنديدا|للتنديد|للاحتجاج|للمطالبه|مطالبين|رافعين|مرددين|هاتفين|تضامنا)( |$)"
)
_CROWD = re.compile(r"(^| )(الاف|الآلاف|الالاف|مئات|المئات|عشرات|العشرات|حشود|حشد|جموع|\d+)( |$)")
_ATTEMPT = re.compile(
    rf"(^| ){PRE}(محاول|مخطط|التخطيط|تخطيط|تورط|متهم|المتهمين|مشتبه|تهمه|تهم|محاكم|ادين|اعترف|مسؤوليه"
    r"|منفذي|التحقيق|تحقيق|احباط|افشال|احبط)\S*( |$)"
)
_BACKGROUND = re.compile(r"(^| )(منذ|عام \d{4}|سنه \d{4}|العام الماضي|كان قد|كانت قد|سبق|سابقه|سابق)( |$)")
_GENERIC_PLURAL = re.compile(r"^(ال|وال|بال|لل)?\S+(ات)$")

# points needed; protest reports give fewer particulars (no casualties, rarely an instrument)
THRESHOLD = {"ASSAULT": 4, "PROTEST": 2}
CLAUSE_OPENERS = words("specificity/clause_openers")
REPORT_VERBS = words("specificity/report_verbs")
PREPOSITIONS = words("specificity/prepositions")


def main_predicate(tokens: tuple[Token, ...], index: int) -> bool:
    """The trigger opens its clause: at most three words (a subject: "مسلحون مجهولون", "جنديا
    عراقيا") after the sentence start, a comma, "أن" or a report verb ("أعلنت الشرطة مقتل …"),
    none of them a preposition."""
    j = index - 1
    n = 0
    while j >= 0:
        w = tokens[j].norm
        if w in CLAUSE_OPENERS or w in REPORT_VERBS or (w[:1] == "و" and w[1:] in REPORT_VERBS):
            return True
        if w in PREPOSITIONS or w in SUBORDINATE:
            return False
        n += 1
        if n > 3:
            return False
        j -= 1
    return True


def _context(tokens: tuple[Token, ...]) -> str:
    return " ".join(t.norm for t in tokens if t.norm not in ("«", "»", '"', "(", ")"))


# trigger words that name a weapon or an attacker, not a happening ("سيارة مفخخة" can be defused)
INSTRUMENT_LEMMAS = words("specificity/instrument_lemmas")


def score(
    tokens: tuple[Token, ...],
    index: int,
    kind: str,
    etype: str,
    places: int = 0,
    persons: int = 0,
    lemma: str = "",
    governed: bool = False,
) -> int:
    """Specificity points of the mention whose trigger is ``tokens[index]`` (``kind`` v or n,
    ``lemma`` its lexicon entry). ``places`` and ``persons`` count the LOC and PERS mentions of
    the sentence. ``governed``: a verb naming another kind of happening comes before this noun
    trigger (the attack is condemned, claimed, investigated, answered by arrests)."""
    text = _context(tokens)
    trig = tokens[index].norm
    pts = 0
    counted = bool(_COUNT.search(text) or _KILLED_COUNT.search(text) or _INDEF_VICTIM.search(text))
    if etype == "PROTEST":
        counted = counted or bool(_CROWD.search(text))
    if counted:
        pts += 2
    if _TIME.search(text):
        pts += 1
    if _PLACE.search(text) or places:
        pts += 1
    if etype == "ASSAULT":
        if _AGENT.search(text):
            pts += 1
        if _INSTRUMENT.search(text):
            pts += 1
        if _TARGET.search(text) or persons:
            pts += 1
    elif etype == "PROTEST" and _PURPOSE.search(text):
        pts += 1
    before = [t.norm for t in tokens[max(0, index - 3) : index]]
    if any(w in SUBORDINATE for w in before):
        pts -= 2
    if _UPDATE.search(text):
        pts -= 2  # a toll update of a happening already reported
    if kind == "v":
        bare = trig[1:] if trig[:1] in "وف" and len(trig) > 3 else trig
        pts += -1 if bare[:1] in "يت" and len(bare) > 3 else 1  # imperfect: habitual or generic
    if kind == "n" and governed:
        pts -= 2
    if main_predicate(tokens, index):
        pts += 1
    if _ATTEMPT.search(text):
        pts -= 3
    if lemma in INSTRUMENT_LEMMAS:
        pts -= 2
    if _BACKGROUND.search(text):
        pts -= 1
    definite = trig.startswith(("ال", "وال", "بال", "لل", "فال"))
    if kind == "n" and definite and not counted:
        pts -= 1
    if kind == "n" and _GENERIC_PLURAL.match(trig) and not counted:
        pts -= 1
    if "؟" in text or "?" in text:
        pts -= 3
    if etype == "PROTEST":
        pts -= _known_protest(tokens, index, kind, trig)
    return pts


# the protesters of a protest already reported, named by the article ("هتف المتظاهرون")
KNOWN_CROWD = words("specificity/known_crowd")
POSSESSIVE = ordered("specificity/possessive")


def _known_protest(tokens: tuple[Token, ...], index: int, kind: str, trig: str) -> int:
    """Points off a protest mention that continues one already reported: what the protesters
    (definite: the ones the article spoke of) did next, or the protest named by a definite or
    possessed noun ("المظاهرة", "مظاهراتهم")."""
    if kind == "v":
        after = [t.norm for t in tokens[index + 1 : index + 3]]
        if any(w in KNOWN_CROWD for w in after):
            return 3
        prev = tokens[index - 1].norm if index > 0 else ""
        bare = trig[1:] if trig[:1] in "وف" and len(trig) > 3 else trig
        if bare[:1] in "يت" and prev.endswith(("ين", "ون")) and not prev.startswith(("ال", "وال")):
            return 2  # a clause describing a crowd named in another report ("متظاهرين يحتجون على")
        return 0
    definite = trig.startswith(("ال", "وال", "بال", "فال"))  # "للاحتجاج" is a purpose
    if definite or (len(trig) > 6 and trig.endswith(POSSESSIVE) and not trig.endswith("ه")):
        return 2
    return 0


def specific(tokens: tuple[Token, ...], index: int, kind: str, etype: str, **context) -> bool:
    """Whether the mention reports a new, specific happening (``context``: see ``score``)."""
    return score(tokens, index, kind, etype, **context) >= THRESHOLD.get(etype, 3)
