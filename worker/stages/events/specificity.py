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
from dataclasses import dataclass

from worker.lang.ar import ordered, words
from worker.lang.ar.morphology import without_conjunction
from worker.stages.document import Token


def _alt(name: str) -> str:
    """The entries of a word list as a regular-expression alternation (file order)."""
    return "|".join(re.escape(w) for w in ordered(name))


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
_KILLED_COUNT = re.compile(rf"(^| ){PRE}({_alt('specificity/casualty_stems')})\S* (\S+ )?{NUMBER}( |$)")
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
_TARGET = re.compile(rf"(^| ){PRE}({_alt('specificity/target_stems')})\S*( |$)")
# the trigger depends on another clause: "بعد الهجوم", "إثر مقتل", "على الرغم من", "الذي خطف"
SUBORDINATE = words("specificity/subordinate")
_UPDATE = re.compile(rf"(^| ){PRE}({_alt('specificity/update_stems')})\S*( |$)")
_PLACE = re.compile(
    r"(^| )(في|ب|بالقرب|قرب|وسط|عند)? ?(مدينه|منطقه|محافظه|بلده|قريه|حي|ولايه|اقليم|ضاحيه|ناحيه|قضاء|سوق|شارع|بمدينه"
    r"|بمنطقه|بمحافظه|ببلده|بقريه|بحي)( |$)|(^| )(شمال|جنوب|شرق|غرب)\S* |(^| )كلم( |$)|(^| )كم( |$)"
)
_AGENT = re.compile(
    r"(^| )(مسلح\S*|مجهول\S*|انتحاري\S*|انتحاريه|مهاجم\S*|متمرد\S*|الخاطف\S*|خاطف\S*|مقاتل\S*|قوه|قوات|طائر\S*|مروحي\S*|دباب\S*)( |$)"
)
_INSTRUMENT = re.compile(rf"({_alt('specificity/instruments')})")
_PURPOSE = re.compile(rf"(^| )({_alt('specificity/purpose_words')})( |$)")
_CROWD = re.compile(rf"(^| )({_alt('specificity/crowd_words')}|\d+)( |$)")
_ATTEMPT = re.compile(rf"(^| ){PRE}({_alt('specificity/attempt_stems')})\S*( |$)")
_BACKGROUND = re.compile(r"(^| )(منذ|عام \d{4}|سنه \d{4}|العام الماضي|كان قد|كانت قد|سبق|سابقه|سابق)( |$)")
_GENERIC_PLURAL = re.compile(r"^(ال|وال|بال|لل)?\S+(ات)$")

# points needed; protest reports give fewer particulars (no casualties, rarely an instrument)
THRESHOLD = {"ASSAULT": 4, "PROTEST": 2}
CLAUSE_OPENERS = words("specificity/clause_openers")
REPORT_VERBS = words("specificity/report_verbs")
PREPOSITIONS = words("specificity/prepositions")
DEFINITE = ordered("specificity/definite")
QUESTION_MARKS = ordered("specificity/question_marks")
# quotes and brackets are left out of the sentence text the patterns read
QUOTES_AND_BRACKETS = frozenset(("«", "»", '"', "(", ")"))

# Points. A count of victims (or of a protesting crowd) is the surest particular of a report; a
# time, a place, an attacker, an instrument, a target or a purpose add one each.
COUNT_POINTS = 2
PARTICULAR_POINTS = 1
# a perfect verb reports a happening; an imperfect one ("يستهدف", "تتظاهر") is habitual or generic
VERB_POINTS = 1
IMPERFECT_POINTS = -1
IMPERFECT_PREFIXES = "يت"
# the trigger opens its clause ("قتل مسلحون …", "أعلنت الشرطة مقتل …")
MAIN_PREDICATE_POINTS = 1
# Points off: the trigger in a dependent clause ("بعد الهجوم"); a toll update; a noun governed by a
# verb of another happening; an attempt, plot or trial (the strongest sign of no happening); a
# weapon named, not used; background; a definite or generic noun with no victims; a question.
SUBORDINATE_POINTS = -2
UPDATE_POINTS = -2
GOVERNED_POINTS = -2
ATTEMPT_POINTS = -3
INSTRUMENT_LEMMA_POINTS = -2
BACKGROUND_POINTS = -1
DEFINITE_POINTS = -1
GENERIC_PLURAL_POINTS = -1
QUESTION_POINTS = -3
# a subordinating word this close before the trigger governs it ("بعد تنفيذ الهجوم")
SUBORDINATE_WINDOW = 3
# main_predicate: the subject before the trigger has at most this many words
MAX_SUBJECT_WORDS = 3


def main_predicate(tokens: tuple[Token, ...], index: int) -> bool:
    """The trigger opens its clause: at most three words (a subject: "مسلحون مجهولون", "جنديا
    عراقيا") after the sentence start, a comma, "أن" or a report verb ("أعلنت الشرطة مقتل …"),
    none of them a preposition."""
    j = index - 1
    n = 0
    while j >= 0:
        w = tokens[j].norm
        # "واعلنت": only و is taken off here, at any length (without_conjunction would also take ف)
        if w in CLAUSE_OPENERS or w in REPORT_VERBS or (w[:1] == "و" and w[1:] in REPORT_VERBS):
            return True
        if w in PREPOSITIONS or w in SUBORDINATE:
            return False
        n += 1
        if n > MAX_SUBJECT_WORDS:
            return False
        j -= 1
    return True


def _context(tokens: tuple[Token, ...]) -> str:
    """The sentence the patterns read: its folded words, quotes and brackets left out."""
    return " ".join(t.norm for t in tokens if t.norm not in QUOTES_AND_BRACKETS)


# trigger words that name a weapon or an attacker, not a happening ("سيارة مفخخة" can be defused)
INSTRUMENT_LEMMAS = words("specificity/instrument_lemmas")


@dataclass(frozen=True)
class _Mention:
    """What the rules read of one mention: its sentence (``text``: the folded words without quotes
    and brackets), its trigger and the counts given to ``score``."""

    tokens: tuple[Token, ...]
    index: int
    kind: str
    etype: str
    places: int
    persons: int
    lemma: str
    governed: bool
    text: str
    trig: str
    counted: bool


def _counted(text: str, etype: str) -> bool:
    """Victims counted: "مقتل 31 شخصا", "قتل جنديان", "شخصا قتل", "أحد عناصر الشرطة"; for a
    protest also a crowd: "مئات المتظاهرين", "الآلاف"."""
    counted = bool(_COUNT.search(text) or _KILLED_COUNT.search(text) or _INDEF_VICTIM.search(text))
    if etype == "PROTEST":
        counted = counted or bool(_CROWD.search(text))
    return counted


def _casualties(m: _Mention) -> int:
    """Victims or a crowd counted: "مقتل 31 شخصا", "آلاف المتظاهرين"."""
    return COUNT_POINTS if m.counted else 0


def _time_anchor(m: _Mention) -> int:
    """A time of the news day: "أمس", "الخميس", "فجر اليوم", "الليلة الماضية", "12 مايو"."""
    return PARTICULAR_POINTS if _TIME.search(m.text) else 0


def _place_anchor(m: _Mention) -> int:
    """A place: "في مدينة …", "شمال بغداد", "على بعد 20 كلم", or a LOC mention in the sentence."""
    return PARTICULAR_POINTS if _PLACE.search(m.text) or m.places else 0


def _attacker(m: _Mention) -> int:
    """An attacker described (ASSAULT): "مسلحون مجهولون", "انتحاري", "طائرات حربية"."""
    return PARTICULAR_POINTS if m.etype == "ASSAULT" and _AGENT.search(m.text) else 0


def _instrument(m: _Mention) -> int:
    """An attack instrument (ASSAULT): "سيارة مفخخة", "عبوة ناسفة", "قذائف هاون"."""
    return PARTICULAR_POINTS if m.etype == "ASSAULT" and _INSTRUMENT.search(m.text) else 0


def _target(m: _Mention) -> int:
    """A target (ASSAULT): "حاجز للشرطة", "موكب", "سوق شعبي", or a PERS mention in the sentence."""
    return PARTICULAR_POINTS if m.etype == "ASSAULT" and (_TARGET.search(m.text) or m.persons) else 0


def _purpose(m: _Mention) -> int:
    """The purpose of a protest: "احتجاجا على", "للمطالبة بـ", "تضامنا مع"."""
    return PARTICULAR_POINTS if m.etype == "PROTEST" and _PURPOSE.search(m.text) else 0


def _subordinate(m: _Mention) -> int:
    """The trigger in a dependent clause: "بعد الهجوم", "إثر مقتل", "الذي خطف"."""
    before = [t.norm for t in m.tokens[max(0, m.index - SUBORDINATE_WINDOW) : m.index]]
    return SUBORDINATE_POINTS if any(w in SUBORDINATE for w in before) else 0


def _toll_update(m: _Mention) -> int:
    """A toll update of a happening already reported: "ارتفعت حصيلة القتلى إلى …"."""
    return UPDATE_POINTS if _UPDATE.search(m.text) else 0


def _verb_form(m: _Mention) -> int:
    """A verb trigger: a perfect verb reports ("قتل", "وانفجرت"), an imperfect one is habitual or
    generic ("يستهدف", "تتظاهر")."""
    if m.kind != "v":
        return 0
    bare = without_conjunction(m.trig)
    return IMPERFECT_POINTS if bare[:1] in IMPERFECT_PREFIXES and len(bare) > 3 else VERB_POINTS


def _governed(m: _Mention) -> int:
    """A noun trigger after a verb of another happening: "أدان الهجوم", "تبنى التفجير"."""
    return GOVERNED_POINTS if m.kind == "n" and m.governed else 0


def _opens_clause(m: _Mention) -> int:
    """The trigger opens its clause: "قتل مسلحون …", "أعلنت الشرطة مقتل …"."""
    return MAIN_PREDICATE_POINTS if main_predicate(m.tokens, m.index) else 0


def _attempt(m: _Mention) -> int:
    """An attempt, plot, suspect or trial: "محاولة اغتيال", "مخطط لتفجير", "المتهمين بتنفيذ"."""
    return ATTEMPT_POINTS if _ATTEMPT.search(m.text) else 0


def _instrument_lemma(m: _Mention) -> int:
    """A trigger that names a weapon or an attacker, not a happening: "سيارة مفخخة"."""
    return INSTRUMENT_LEMMA_POINTS if m.lemma in INSTRUMENT_LEMMAS else 0


def _background(m: _Mention) -> int:
    """Background: "منذ هجمات", "عام 2001", "كان قد"."""
    return BACKGROUND_POINTS if _BACKGROUND.search(m.text) else 0


def _definite_noun(m: _Mention) -> int:
    """A definite noun trigger with no victims counted: "الهجوم", "بالتفجير"."""
    definite = m.trig.startswith(DEFINITE)
    return DEFINITE_POINTS if m.kind == "n" and definite and not m.counted else 0


def _generic_plural(m: _Mention) -> int:
    """A feminine plural noun trigger with no victims counted: "الهجمات الإرهابية تهدد …"."""
    return GENERIC_PLURAL_POINTS if m.kind == "n" and _GENERIC_PLURAL.match(m.trig) and not m.counted else 0


def _question(m: _Mention) -> int:
    """A question: "هل كان الهجوم مدبرا؟"."""
    return QUESTION_POINTS if any(q in m.text for q in QUESTION_MARKS) else 0


def _continues_protest(m: _Mention) -> int:
    """A protest already reported, continued: "هتف المتظاهرون", "المظاهرة" (see _known_protest)."""
    return -_known_protest(m.tokens, m.index, m.kind, m.trig) if m.etype == "PROTEST" else 0


# the rules whose points ``score`` adds up
RULES = (
    _casualties,
    _time_anchor,
    _place_anchor,
    _attacker,
    _instrument,
    _target,
    _purpose,
    _subordinate,
    _toll_update,
    _verb_form,
    _governed,
    _opens_clause,
    _attempt,
    _instrument_lemma,
    _background,
    _definite_noun,
    _generic_plural,
    _question,
    _continues_protest,
)


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
    m = _Mention(
        tokens=tokens,
        index=index,
        kind=kind,
        etype=etype,
        places=places,
        persons=persons,
        lemma=lemma,
        governed=governed,
        text=text,
        trig=tokens[index].norm,
        counted=_counted(text, etype),
    )
    return sum(rule(m) for rule in RULES)


# the protesters of a protest already reported, named by the article ("هتف المتظاهرون")
KNOWN_CROWD = words("specificity/known_crowd")
POSSESSIVE = ordered("specificity/possessive")
PROTEST_DEFINITE = ordered("specificity/protest_definite")
CROWD_ARTICLE = ordered("specificity/crowd_article")
PLURAL_ENDINGS = ordered("specificity/plural_endings")
# Points off a protest mention that continues one reported: its known protesters act next (3); an
# indefinite crowd of another report, or a definite or possessed protest noun (2).
KNOWN_CROWD_POINTS = 3
KNOWN_PROTEST_POINTS = 2
# the known protesters come right after the verb ("هتف المتظاهرون", "رفع المحتجون لافتات")
KNOWN_CROWD_WINDOW = 2
# a noun ending in a possessive pronoun is read as possessed ("مظاهراتهم", "احتجاجاتنا") only when it has
# at least 7 letters: shorter protest nouns end in those letters by themselves
MIN_POSSESSED = 7


def _known_protest(tokens: tuple[Token, ...], index: int, kind: str, trig: str) -> int:
    """Points off a protest mention that continues one already reported: what the protesters
    (definite: the ones the article spoke of) did next, or the protest named by a definite or
    possessed noun ("المظاهرة", "مظاهراتهم")."""
    if kind == "v":
        after = [t.norm for t in tokens[index + 1 : index + 1 + KNOWN_CROWD_WINDOW]]
        if any(w in KNOWN_CROWD for w in after):
            return KNOWN_CROWD_POINTS
        prev = tokens[index - 1].norm if index > 0 else ""
        bare = without_conjunction(trig)
        if (
            bare[:1] in IMPERFECT_PREFIXES
            and prev.endswith(PLURAL_ENDINGS)
            and not prev.startswith(CROWD_ARTICLE)
        ):
            # a clause describing a crowd named in another report ("متظاهرين يحتجون على")
            return KNOWN_PROTEST_POINTS
        return 0
    definite = trig.startswith(PROTEST_DEFINITE)  # "للاحتجاج" is a purpose
    if definite or (len(trig) >= MIN_POSSESSED and trig.endswith(POSSESSIVE) and not trig.endswith("ه")):
        return KNOWN_PROTEST_POINTS
    return 0


def specific(
    tokens: tuple[Token, ...],
    index: int,
    kind: str,
    etype: str,
    thresholds: dict[str, int] | None = None,
    **context,
) -> bool:
    """Whether the mention reports a new, specific happening (``context``: see ``score``;
    ``thresholds``: points needed by type, the shipped THRESHOLD where not given)."""
    need = (thresholds or {}).get(etype, THRESHOLD.get(etype, 3))
    return score(tokens, index, kind, etype, **context) >= need
