"""Event arguments: actor, recipient and location from the trigger's clause.

The participants (``arguments_participants.py``) are the clause's entity mentions, nationality
adjectives that stand for a state of the article and titles that name a person of the article.
Roles come from Arabic word order and prepositions:

- a verb's first bare participant after it is the actor (VSO), the second its object (recipient);
  with no actor after it, the nearest bare participant before it in the clause (SVO, headlines);
- "مع", "ضد", "على", "إلى", "لـ", "بـ" (and "من" after a request) mark the recipient;
  "بين A و B" gives A as actor and B as recipient; "من قبل" marks the actor;
- after a masdar, a genitive participant is its actor ("زيارة بحاح"), except for harm done
  ("مقتل", "اغتيال", "اعتقال"), where it is the recipient; "من" after a killing names the victims;
- the location is a place after "في" or an attached "بـ" (the nearest one after the trigger, else
  before it); a visited place ("زار موسكو") is a location, not a recipient, and so is the place
  that hosts it ("شهدت موسكو الاجتماع").

Each construction is one named rule below; the word lists are data files in
``worker/lang/ar/arguments/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from worker.lang.ar import ordered, words
from worker.stages.document import Argument, Document, Mention, Sentence, Token
from worker.stages.events.arguments_participants import (
    ATTACHED_PREPS,
    BREAKS,
    PLURAL_SUFFIXES,
    PREP_LOCATION,
    PREP_RECIPIENT,
    RELATIVES,
    Participant,
    drop_wa_before,
    participants,
    resolve_title,
    state_names,
    title_index,
)

if TYPE_CHECKING:
    from worker.stages.events.triggers import Trigger

# what the events stage reads from here
__all__ = [
    "Participant",
    "arguments",
    "clause_bounds",
    "mentions_in",
    "participants",
    "resolve_title",
    "state_names",
    "title_index",
]

# --- Word lists (worker/lang/ar/arguments/*.tsv) ---

# "شهدت موسكو الاجتماع", "تستضيف القاهرة المحادثات": the subject of these verbs is where it happens
HOST_VERBS = words("arguments/host_verbs")
HARM_NOUNS = words("arguments/harm_nouns")
GENERIC_SUBJECTS = words("common/generic_subjects")
DEFINITE_PREFIXES = ordered("arguments/definite_prefixes")
VISIT_PREPS = words("arguments/visit_preps")
CLAUSE_STOPS = words("arguments/clause_stops")
COMMAS = words("arguments/commas")
CLAUSE_OPENERS_BEFORE = words("arguments/clause_openers_before")
CLAUSE_OPENERS_AFTER = words("arguments/clause_openers_after")
# a preposition between a verb and a name puts the name in a phrase, not in the subject slot
PHRASE_PREPS = PREP_RECIPIENT | PREP_LOCATION | words("arguments/phrase_preps")

# --- Windows (in tokens) and thresholds ---

# With no punctuation or clause opener to end it sooner, the trigger's clause is cut 14 tokens
# before it and 15 tokens after its last token, so that a long run-on sentence does not lend the
# trigger a distant name (values from the first version of the rules).
CLAUSE_BEFORE = 14
CLAUSE_AFTER = 15
# Before the trigger a comma ends the clause only with at least three words between them: a
# fronted place or time ("وفي موسكو، التقى …") still belongs to it.
COMMA_MIN_WORDS = 3
# A hosting verb stands at most four tokens before the place, three words between ("شهدت
# العاصمة الروسية موسكو").
HOST_LOOKBACK = 4
# Coordination joins neighbours only: "و" adds a name to a role when at most three tokens separate
# it from the last name of that role ("مع روسيا والصين").
COORDINATION_GAP = 3
# A masdar's genitive follows it at once or after one word ("زيارة الرئيس بحاح", "مقتل سليماني").
GENITIVE_REACH = 2
# A place in the first eight tokens after the clause locates the event when the clause names none.
LATE_LOCATION_REACH = 8
# A generic subject after a verb has at least five letters ("مسلحون"), so that short words ending
# in "ون"/"ين" ("دون", "بين") are not taken for plurals.
GENERIC_MIN_LETTERS = 5


# --- The clause ---


def _crosses_phrase(toks, lo: int, hi: int) -> bool:
    """Whether a preposition or a break stands between token lo and token hi (exclusive)."""
    for t in toks[lo:hi]:
        w = drop_wa_before(t.norm, PHRASE_PREPS)
        if w in PHRASE_PREPS or w in BREAKS:
            return True
    return False


def _clause_start(toks: tuple[Token, ...], index: int) -> int:
    """The first token of the clause of the trigger at ``index``: after a full stop, a colon, a
    complementiser ("قال إن روسيا هاجمت …") or a clause conjunction ("فيما", "بينما"), or a
    comma at least COMMA_MIN_WORDS words back; at most CLAUSE_BEFORE tokens back."""
    lo = index
    while lo > 0 and index - lo < CLAUSE_BEFORE:
        w = toks[lo - 1].norm
        if w in CLAUSE_STOPS or w in CLAUSE_OPENERS_BEFORE:
            break
        if w in COMMAS and index - lo >= COMMA_MIN_WORDS:
            break
        lo -= 1
    return lo


def _clause_end(toks: tuple[Token, ...], last: int) -> int:
    """The token after the clause of a trigger whose last token is ``last``: the clause ends at
    punctuation, a relative ("الذي") or a word that opens a new clause ("فيما", "أن"); at most
    CLAUSE_AFTER tokens on."""
    hi = last + 1
    while hi < len(toks) and hi - last <= CLAUSE_AFTER:
        w = toks[hi].norm
        if w in CLAUSE_STOPS or w in COMMAS or w in RELATIVES or w in CLAUSE_OPENERS_AFTER:
            break
        hi += 1
    return hi


def clause_bounds(sent: Sentence, index: int, last: int) -> tuple[int, int]:
    """[lo, hi): the tokens of the clause of the trigger spanning tokens ``index``..``last``."""
    return _clause_start(sent.tokens, index), _clause_end(sent.tokens, last)


def _hosted(toks, k: int) -> bool:
    """A hosting verb ("شهدت", "استضافت") at most HOST_LOOKBACK tokens before token ``k`` ("شهدت
    العاصمة الروسية موسكو"), with nothing but words between."""
    for j in range(k - 1, max(-1, k - 1 - HOST_LOOKBACK), -1):
        w = toks[j].norm
        if w in BREAKS:
            return False
        if w in HOST_VERBS or toks[j].bare in HOST_VERBS:
            return True
    return False


def _is_place(p: Participant) -> bool:
    """A place named after a location preposition or an attached "بـ" ("في موسكو", "بموسكو");
    "في" is one of PREP_LOCATION."""
    return p.type == "LOC" and p.source == "mention" and (p.prep in PREP_LOCATION or p.prep == "ب")


def _generic_subject(trig: Trigger, toks: tuple[Token, ...], parts: list[Participant]) -> bool:
    """A generic subject right after the verb ("اتهم آخرون صالح", "رفض مسؤولون …"): an
    indefinite plural or a word like "مصادر" that no participant starts at. It takes the actor
    slot, so the named participant after it is the object."""
    if trig.kind != "v" or trig.last + 1 >= len(toks):
        return False
    nxt = toks[trig.last + 1].norm
    return (
        not any(p.token == trig.last + 1 for p in parts)
        and not nxt.startswith(DEFINITE_PREFIXES)
        and (nxt.endswith(PLURAL_SUFFIXES) or nxt in GENERIC_SUBJECTS)
        and len(nxt) >= GENERIC_MIN_LETTERS
    )


# --- Roles ---


@dataclass
class _Roles:
    """The roles of one trigger as the rules fill them, and what the rules have seen so far."""

    trig: Trigger
    etype: str
    toks: tuple[Token, ...]
    harm: bool  # harm done ("مقتل", or a killing): the genitive and "من" name the victims
    generic_actor: bool  # a generic subject after the verb holds the actor slot
    actors: list[Participant] = field(default_factory=list)
    recips: list[Participant] = field(default_factory=list)
    location: Participant | None = None
    between: bool = False  # "بين A": the next bare or coordinated participant is B
    bare_after: int = 0  # bare participants after the trigger so far (a generic subject counts)

    @property
    def visit(self) -> bool:
        """A visit ("زار", "زيارة"): the place it goes to is its location."""
        return self.etype == "CONSULT" and self.trig.mode == "visit"


# Each rule below takes a participant after the trigger and returns whether it handled it; the
# first rule that does decides (_AFTER_RULES gives the order).


def _place_after(r: _Roles, p: Participant) -> bool:
    """A place after "في" or an attached "بـ" ("التقى لافروف بلينكن في جنيف"): the first one is the
    location. A bare place after a visit is left to _visited_place."""
    if not _is_place(p) or (r.visit and p.prep == ""):
        return False
    if r.location is None:
        r.location = p
    return True


def _visited_place(r: _Roles, p: Participant) -> bool:
    """The place a visit goes to ("زار موسكو", "زيارته لموسكو", "توجه إلى موسكو") is its location,
    not a recipient."""
    if not (r.visit and p.type == "LOC" and (p.prep == "" or p.prep in VISIT_PREPS)):
        return False
    r.location = r.location or p
    return True


def _pair_first(r: _Roles, p: Participant) -> bool:
    """A in "بين A و B" and "من كل A و B" ("محادثات بين لافروف وبلينكن") is the actor."""
    toks = r.toks
    if not (p.prep == "بين" or (p.prep == "من" and p.token >= 2 and toks[p.token - 2].norm == "كل")):
        return False
    r.actors.append(p)
    r.between = True
    return True


def _pair_second(r: _Roles, p: Participant) -> bool:
    """B in "بين A و B" ("بين لافروف وبلينكن"): the recipient."""
    if not (r.between and (p.prep == "" or p.prep == "و") and not r.recips):
        return False
    r.recips.append(p)
    return True


def _agent(r: _Roles, p: Participant) -> bool:
    """A name after "من قبل" is the actor ("اعتقاله من قبل الشرطة")."""
    if p.prep != "من قبل":
        return False
    r.actors.append(p)
    return True


def _from(r: _Roles, p: Participant) -> bool:
    """A name after "من" is the recipient of harm done or a request ("مقتل عدد من المدنيين", "طلب
    من روسيا"), the actor of another masdar ("زيارة وفد من الحكومة"), and takes no role after a
    verb."""
    if p.prep != "من":
        return False
    if r.harm or r.etype == "REQUEST":
        r.recips.append(p)
    elif r.trig.kind == "n":
        r.actors.append(p)
    return True


def _conceded(r: _Roles, p: Participant) -> bool:
    """A name after "عن" is the recipient only of a concession ("تنازل عن …"); elsewhere it is a
    topic ("تحدث عن روسيا") and takes no role."""
    if p.prep != "عن":
        return False
    if r.etype == "CONCEDE":
        r.recips.append(p)
    return True


def _recipient_prep(r: _Roles, p: Participant) -> bool:
    """A name after "مع", "ضد", "على", "إلى" or an attached "لـ"/"بـ" is the recipient ("التقى مع
    لافروف", "هجوم على موسكو", "دعمها لأوكرانيا")."""
    if p.prep not in PREP_RECIPIENT and p.prep not in ATTACHED_PREPS:
        return False
    r.recips.append(p)
    return True


def _coordinated(r: _Roles, p: Participant) -> bool:
    """A name after "و" takes the role of the name just before it ("مع روسيا والصين": both
    recipients) when at most COORDINATION_GAP tokens separate them."""
    if p.prep != "و" or not (r.actors or r.recips):
        return False
    group = r.recips if r.recips else r.actors
    if p.token - group[-1].last <= COORDINATION_GAP:
        group.append(p)
    return True


def _genitive(r: _Roles, p: Participant) -> None:
    """A bare participant right after a masdar is its genitive: the actor ("زيارة بحاح"), or the
    recipient of harm done ("مقتل سليماني"); a nationality adjective only right after it ("الغزو
    الروسي")."""
    if p.source == "adjective":
        takes = p.token == r.trig.last + 1
    else:
        takes = p.token <= r.trig.last + GENITIVE_REACH and not r.actors and not r.recips
    if takes:
        (r.recips if r.harm else r.actors).append(p)


def _subject_or_object(r: _Roles, p: Participant) -> None:
    """After a verb (VSO) the first bare participant is the subject ("اتهمت روسيا أوكرانيا"),
    unless a generic subject holds the slot or a preposition stands between ("فرضت حظرا على سفر
    X": X is in a phrase); the next one is the object."""
    if not r.actors and r.bare_after == 1 and not r.generic_actor:
        if not _crosses_phrase(r.toks, r.trig.last + 1, p.token):
            r.actors.append(p)
    elif not r.recips:
        r.recips.append(p)


def _bare(r: _Roles, p: Participant) -> bool:
    """A participant with no preposition: a masdar's genitive, a verb's subject or object
    (nationality adjectives take no role after a verb)."""
    if p.prep != "":
        return False
    r.bare_after += 1
    if r.trig.kind == "n":
        _genitive(r, p)
    elif p.source != "adjective":
        _subject_or_object(r, p)
    return True


_AFTER_RULES = (
    _place_after,
    _visited_place,
    _pair_first,
    _pair_second,
    _agent,
    _from,
    _conceded,
    _recipient_prep,
    _coordinated,
    _bare,
)


def _assign_after(r: _Roles, p: Participant) -> None:
    """The role of a participant after the trigger, from the first rule that takes it."""
    for rule in _AFTER_RULES:
        if rule(r, p):
            return


def _subject_before(r: _Roles, before: list[Participant]) -> None:
    """With no actor after the trigger, the nearest bare (or coordinated) participant before it
    in the clause is its subject (SVO, headlines: "روسيا تتهم أوكرانيا")."""
    if r.actors or r.between or r.generic_actor:
        return
    for p in reversed(before):
        if _is_place(p) or not (p.prep == "" or p.prep == "و") or p in r.recips:
            continue
        r.actors.append(p)
        return


def _location_before(r: _Roles, before: list[Participant]) -> None:
    """With no place after the trigger, the nearest place before it in the clause ("وفي جنيف،
    التقى …"), or the place that hosts it ("شهدت موسكو الاجتماع")."""
    if r.location is not None:
        return
    for p in reversed(before):
        if _is_place(p) or (p.type == "LOC" and p.prep == "" and _hosted(r.toks, p.token)):
            r.location = p
            return


def _location_past_clause(r: _Roles, parts: list[Participant], hi: int) -> None:
    """With no place in the clause, a place right after it ("… التقى لافروف بلينكن، في جنيف")."""
    if r.location is not None:
        return
    for p in parts:
        if p.token >= hi and _is_place(p) and p.token - hi < LATE_LOCATION_REACH:
            r.location = p
            return


def _to_arguments(r: _Roles) -> tuple[list[Argument], str | None]:
    """The roles as arguments: each name once, as actor before recipient, and not as either when
    it is the location."""
    loc = r.location
    args: list[Argument] = []
    seen: set[tuple[str, str]] = set()
    for role, ps in (("actor", r.actors), ("recipient", r.recips)):
        for p in ps:
            if (role, p.name) in seen or (loc is not None and p.name == loc.name):
                continue
            if role == "recipient" and ("actor", p.name) in seen:
                continue
            seen.add((role, p.name))
            args.append(Argument(role, p.name, p.type, p.start, p.end))
    if loc is None:
        return args, None
    args.append(Argument("location", loc.name, "LOC", loc.start, loc.end))
    return args, loc.name


def arguments(
    doc: Document, si: int, trig: Trigger, etype: str, parts: list[Participant]
) -> tuple[list[Argument], str | None]:
    """The actor, recipient and location of the trigger ``trig`` (of type ``etype``) among the
    participants ``parts`` of sentence ``si``, and the location's name."""
    sent = doc.sentences[si]
    toks = sent.tokens
    lo, hi = clause_bounds(sent, trig.token, trig.last)
    generic = _generic_subject(trig, toks, parts)
    harm = (trig.kind == "n" and trig.lemma in HARM_NOUNS) or trig.mode == "killing"
    r = _Roles(trig, etype, toks, harm=harm, generic_actor=generic, bare_after=1 if generic else 0)
    for p in parts:
        if trig.last < p.token < hi:
            _assign_after(r, p)
    before = [p for p in parts if lo <= p.token < trig.token]
    _subject_before(r, before)
    _location_before(r, before)
    _location_past_clause(r, parts, hi)
    return _to_arguments(r)


def mentions_in(doc: Document, sent: Sentence) -> list[Mention]:
    """The mentions that start in ``sent``."""
    return [m for m in doc.mentions if sent.start <= m.start < sent.end]
