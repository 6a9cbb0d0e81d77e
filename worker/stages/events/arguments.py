"""Event arguments: actor, recipient and location from the trigger's clause.

Participants are the clause's entity mentions, nationality adjectives that stand for a state of
the article ("الغزو الروسي" → روسيا) and titles that name a person of the article ("وزير الخارجية
الأمريكي" → the person the article introduces with that title). Roles come from Arabic word order
and prepositions:

- a verb's first bare participant after it is the actor (VSO), the second its object (recipient);
  with no actor after it, the nearest bare participant before it in the clause (SVO, headlines);
- "مع", "ضد", "على", "إلى", "لـ", "بـ" (and "من" after a request) mark the recipient;
  "بين A و B" gives A as actor and B as recipient; "من قبل" marks the actor;
- after a masdar, a genitive participant is its actor ("زيارة بحاح"), except for harm done
  ("مقتل", "اغتيال", "اعتقال"), where it is the recipient; "من" after a killing names the victims;
- the location is a place after "في" or an attached "بـ" (the nearest one after the trigger, else
  before it); a visited place ("زار موسكو") is a location, not a recipient, and so is the place
  that hosts it ("شهدت موسكو الاجتماع").
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.lang.ar import ordered, words
from worker.lang.ar.lexicons import nationalities
from worker.lang.ar.morphology import adjective_stem
from worker.lang.ar.normalise import normalise
from worker.stages.document import Argument, Document, Mention, Sentence

PREP_RECIPIENT = words("arguments/prep_recipient")
PREP_LOCATION = words("arguments/prep_location")
# "شهدت موسكو الاجتماع", "تستضيف القاهرة المحادثات": the subject of these verbs is where it happens
HOST_VERBS = words("arguments/host_verbs")
BREAKS = words("arguments/breaks")
RELATIVES = words("arguments/relatives")
HARM_NOUNS = words("arguments/harm_nouns")
TITLE_HEADS = words("arguments/title_heads")
STATE_NOUNS = words("arguments/state_nouns")


GENERIC_SUBJECTS = words("arguments/generic_subjects")
PLACE_LABELS = words("arguments/place_labels")
GOVERNING_PARTICLES = words("arguments/governing_particles")
ATTACHED_PREPS = words("arguments/attached_preps")
PLURAL_SUFFIXES = ordered("arguments/plural_suffixes")
DEFINITE_PREFIXES = ordered("arguments/definite_prefixes")
VISIT_PREPS = words("arguments/visit_preps")
CLAUSE_STOPS = words("arguments/clause_stops")
COMMAS = words("arguments/commas")
CLAUSE_OPENERS_BEFORE = words("arguments/clause_openers_before")
CLAUSE_OPENERS_AFTER = words("arguments/clause_openers_after")


@dataclass(frozen=True)
class Participant:
    name: str
    type: str
    start: int
    end: int
    token: int  # index of the first token in the sentence
    last: int
    prep: str  # the preposition before it ("" when bare)
    source: str  # "mention" | "adjective" | "title"
    after_noun: bool = False  # an adjective right after a noun


def state_names(doc: Document) -> dict[str, str]:
    """adjective stem → the canonical name the article uses for that state (only states the
    article names)."""
    canon = {normalise(m.canonical): m.canonical for m in doc.mentions if m.type in ("LOC", "ORG")}
    out: dict[str, str] = {}
    for adj, names in nationalities().items():
        for n in names:
            if n in canon:
                out[adj] = canon[n]
                break
    return out


def _prep_before(doc: Document, sent: Sentence, k: int, start: int) -> str:
    """The preposition governing the word at token k whose name starts at ``start``."""
    tok = sent.tokens[k]
    clitic = normalise(doc.text[tok.start : start]) if start > tok.start else ""
    if clitic.endswith("ب"):
        return "ب"
    if clitic.endswith("ل") or clitic.endswith("لل"):
        return "ل"
    if clitic == "" and tok.norm.startswith("لل"):
        return "ل"
    if k > 0:
        prev = sent.tokens[k - 1].norm
        if prev == "قبل" and k > 1 and sent.tokens[k - 2].norm == "من":
            return "من قبل"
        if prev in PREP_RECIPIENT or prev in PREP_LOCATION or prev in GOVERNING_PARTICLES or prev == "و":
            return prev
        if len(prev) > 2 and prev[0] == "و" and prev[1:] in PREP_RECIPIENT | PREP_LOCATION:
            return prev[1:]
        if prev in PLACE_LABELS:
            return "في"
    return ""


# nouns that head a genitive or title before a name: the preposition before them governs the name
# ("مع وزير الخارجية الروسي سيرغي لافروف", "على سفر قاسم سليماني", "لشركة النفط")
PHRASE_HEADS = TITLE_HEADS | words("arguments/phrase_heads")


def _prep_through_phrase(doc: Document, sent: Sentence, k: int, stops: set[int]) -> str:
    """The preposition before the title or genitive head that precedes the name at token k."""
    toks = sent.tokens
    j = k - 1
    crossed = False
    crossed_nouns = 0
    while j >= 0 and k - j <= 5 and j not in stops:
        w = toks[j].norm
        if w in BREAKS:
            return ""
        bare = w[1:] if w[:1] == "و" and len(w) > 3 and w not in PHRASE_HEADS else w
        if crossed and (bare in PREP_RECIPIENT or bare in GOVERNING_PARTICLES):
            return bare
        if crossed and w[:1] == "و" and len(w) > 3 and w[1:] in PHRASE_HEADS | TITLE_HEADS:
            return "و"
        head = bare[2:] if bare.startswith("ال") else bare
        if bare in PHRASE_HEADS or head in PHRASE_HEADS:
            if w != bare and w[:1] == "و":
                return "و"  # "بين لافروف ووزير الخارجية الأمريكي أنتوني بلينكن"
            crossed = True
        elif bare[:1] in ATTACHED_PREPS and bare[1:] in PHRASE_HEADS:
            return bare[0]
        elif bare.startswith("لل") and bare[2:] in PHRASE_HEADS:
            return "ل"
        elif bare[:1] in ATTACHED_PREPS and len(bare) >= 5 and crossed_nouns:
            return bare[0]  # a masdar with a preposition: "هددت بإسقاط حكم حماس"
        elif not (bare.startswith("ال") or adjective_stem(bare)):
            if crossed_nouns >= 1 or bare in BREAKS or bare in RELATIVES:
                return ""
            crossed_nouns += 1  # one indefinite genitive head ("حكم", "سفر")
        j -= 1
    return ""


def title_index(doc: Document) -> dict[str, set[str]]:
    """PERS canonical → the words of the titles the article puts right before or after its name."""
    out: dict[str, set[str]] = {}
    for sent in doc.sentences:
        toks = sent.tokens
        for m in doc.mentions:
            if m.type != "PERS" or not sent.start <= m.start < sent.end:
                continue
            k = next((i for i, t in enumerate(toks) if t.end > m.start), None)
            if k is None:
                continue
            words: set[str] = set()
            j = k - 1
            seen_head = False
            while j >= 0 and k - j <= 6:
                w = toks[j].norm
                if w in BREAKS:
                    break
                words.add(w[1:] if w.startswith("و") and len(w) > 3 else w)
                if w in TITLE_HEADS or (w[1:] in TITLE_HEADS and w[0] == "و"):
                    seen_head = True
                    break
                j -= 1
            e = next((i for i, t in enumerate(toks) if t.start >= m.end), len(toks))
            after: set[str] = set()
            if e < len(toks) and toks[e].norm in TITLE_HEADS:
                for t in toks[e : e + 6]:
                    if t.norm in BREAKS:
                        break
                    after.add(t.norm)
            if seen_head:
                out.setdefault(m.canonical, set()).update(words)
            if after:
                out.setdefault(m.canonical, set()).update(after)
    return out


def _norm_title_word(w: str) -> str:
    w = w[1:] if w.startswith("و") and len(w) > 3 else w
    stem = adjective_stem(w)
    if stem:
        return "@" + stem
    return w[2:] if w.startswith("ال") and len(w) > 4 else w


def resolve_title(words: list[str], titles: dict[str, set[str]]) -> str | None:
    """The person whose known title shares the head and the most other words with ``words``."""
    want = {_norm_title_word(w) for w in words}
    best, best_score, tie = None, 0, False
    for person, tw in titles.items():
        have = {_norm_title_word(w) for w in tw}
        common = want & have
        if not common & {_norm_title_word(h) for h in TITLE_HEADS}:
            continue
        score = len(common)
        if score > best_score:
            best, best_score, tie = person, score, False
        elif score == best_score:
            tie = True
    if best is None or tie or best_score < 2:
        return None
    return best


def participants(
    doc: Document,
    si: int,
    states: dict[str, str],
    titles: dict[str, set[str]],
    trigger_tokens: set[int] | None = None,
) -> list[Participant]:
    sent = doc.sentences[si]
    toks = sent.tokens
    out: list[Participant] = []
    covered: set[int] = set()
    trigger_tokens = set(trigger_tokens or ())
    for m in doc.mentions:
        if not sent.start <= m.start < sent.end or m.type not in ("PERS", "ORG", "LOC"):
            continue
        k = next((i for i, t in enumerate(toks) if t.end > m.start), None)
        last = next((i for i in range(len(toks) - 1, -1, -1) if toks[i].start < m.end), k)
        if k is None:
            continue
        covered.update(range(k, (last or k) + 1))
        prep = _prep_before(doc, sent, k, m.start)
        if prep == "":
            prep = _prep_through_phrase(doc, sent, k, trigger_tokens)
        out.append(Participant(m.canonical, m.type, m.start, m.end, k, last or k, prep, "mention"))
    out = _titled_organisations(out, toks, titles)
    for k, tok in enumerate(toks):
        if k in covered:
            continue
        stem = adjective_stem(tok.norm)
        if stem and stem in states and k > 0:
            prev = toks[k - 1].norm
            if prev in BREAKS:
                continue
            # a plural ("مسؤولون روس") is a generic group, not the state
            if tok.norm.endswith(PLURAL_SUFFIXES):
                continue
            prev_bare = prev[1:] if prev.startswith("و") and prev[1:] in TITLE_HEADS else prev
            prev2 = toks[k - 2].norm if k > 1 else ""
            prev2 = prev2[1:] if prev2.startswith("و") and prev2[1:] in TITLE_HEADS else prev2
            if prev_bare in TITLE_HEADS or prev2 in TITLE_HEADS:
                continue  # part of a title; titles are resolved below
            out.append(
                Participant(states[stem], "LOC", tok.start, tok.end, k, k, "", "adjective", after_noun=True)
            )
    # titles without a name right after them
    k = 0
    while k < len(toks):
        w = toks[k].norm
        head = w[1:] if w.startswith("و") and len(w) > 3 and w[1:] in TITLE_HEADS else w
        if head in TITLE_HEADS and k not in covered:
            j = k + 1
            words = [head]
            while (
                j < len(toks)
                and j - k <= 5
                and j not in covered
                and toks[j].norm not in BREAKS
                and toks[j].norm not in RELATIVES
            ):
                words.append(toks[j].norm)
                j += 1
            if j in covered:
                k = j
                continue  # a name follows: the mention itself is the participant
            person = resolve_title(words, titles) if len(words) >= 2 else None
            if person:
                out.append(
                    Participant(
                        person,
                        "PERS",
                        toks[k].start,
                        toks[j - 1].end,
                        k,
                        j - 1,
                        _prep_before(doc, sent, k, toks[k].start),
                        "title",
                    )
                )
                covered.update(range(k, j))
                k = j
                continue
        k += 1
    out.sort(key=lambda p: p.token)
    return out


def _titled_organisations(parts: list[Participant], toks, titles: dict[str, set[str]]) -> list[Participant]:
    """An organisation or place that completes a title ("رئيس مجلس الوزراء خالد محفوظ بحاح",
    "قائد فيلق القدس زار …") is not a participant: the person is. With the person named right
    after, the organisation is dropped; otherwise the title names the person the article gives
    that title to, if any."""
    out: list[Participant] = []
    persons = [p for p in parts if p.type == "PERS"]
    for p in parts:
        if p.type not in ("ORG", "LOC") or p.token == 0:
            out.append(p)
            continue
        prev = toks[p.token - 1].norm
        prev = prev[1:] if prev.startswith("و") and len(prev) > 3 and prev[1:] in TITLE_HEADS else prev
        if prev not in TITLE_HEADS:
            out.append(p)
            continue
        if any(p.last < q.token <= p.last + 3 for q in persons):
            continue
        words = [prev, *(t.norm for t in toks[p.token : p.last + 1])]
        person = resolve_title(words, titles)
        if person:
            out.append(Participant(person, "PERS", p.start, p.end, p.token - 1, p.last, p.prep, "title"))
        else:
            out.append(p)
    return out


PHRASE_PREPS = PREP_RECIPIENT | PREP_LOCATION | words("arguments/phrase_preps")


def _crosses_phrase(toks, lo: int, hi: int) -> bool:
    """Whether a preposition or a break stands between token lo and token hi (exclusive)."""
    for t in toks[lo:hi]:
        w = t.norm[1:] if t.norm[:1] == "و" and t.norm[1:] in PHRASE_PREPS else t.norm
        if w in PHRASE_PREPS or w in BREAKS:
            return True
    return False


def clause_bounds(sent: Sentence, index: int, last: int) -> tuple[int, int]:
    toks = sent.tokens
    lo = index
    while lo > 0 and index - lo < 14:
        w = toks[lo - 1].norm
        if w in CLAUSE_STOPS or w in CLAUSE_OPENERS_BEFORE:
            break
        if w in COMMAS and index - lo > 2:
            break
        lo -= 1
    hi = last + 1
    while hi < len(toks) and hi - last < 16:
        w = toks[hi].norm
        if w in CLAUSE_STOPS or w in COMMAS or w in RELATIVES or w in CLAUSE_OPENERS_AFTER:
            break
        hi += 1
    return lo, hi


def _hosted(toks, k: int) -> bool:
    """A hosting verb ("شهدت", "استضافت") up to three words before token ``k`` ("شهدت العاصمة
    الروسية موسكو"), with nothing but words between."""
    for j in range(k - 1, max(-1, k - 5), -1):
        w = toks[j].norm
        if w in BREAKS:
            return False
        if w in HOST_VERBS or toks[j].bare in HOST_VERBS:
            return True
    return False


def arguments(
    doc: Document, si: int, trig, etype: str, parts: list[Participant]
) -> tuple[list[Argument], str | None]:
    sent = doc.sentences[si]
    lo, hi = clause_bounds(sent, trig.token, trig.last)
    actors: list[Participant] = []
    recips: list[Participant] = []
    location: Participant | None = None
    after = [p for p in parts if trig.last < p.token < hi]
    before = [p for p in parts if lo <= p.token < trig.token]
    harm = trig.kind == "n" and trig.lemma in HARM_NOUNS or trig.mode == "killing"

    def place(p: Participant) -> bool:
        # "في" is one of PREP_LOCATION; "ب" is the attached preposition ("بموسكو")
        return p.type == "LOC" and p.source == "mention" and (p.prep in PREP_LOCATION or p.prep == "ب")

    between = False
    bare_after = 0
    # a generic subject right after the verb ("اتهم آخرون صالح", "رفض مسؤولون …") takes the
    # actor slot: the named participant after it is the object
    toks = sent.tokens
    nxt = toks[trig.last + 1].norm if trig.last + 1 < len(toks) else ""
    if (
        trig.kind == "v"
        and nxt
        and not any(p.token == trig.last + 1 for p in parts)
        and not nxt.startswith(DEFINITE_PREFIXES)
        and (nxt.endswith(PLURAL_SUFFIXES) or nxt in GENERIC_SUBJECTS)
        and len(nxt) > 4
    ):
        bare_after = 1
        generic_actor = True
    else:
        generic_actor = False
    for p in after:
        if place(p) and not (etype == "CONSULT" and trig.mode == "visit" and p.prep == ""):
            if location is None:
                location = p
            continue
        if (
            etype == "CONSULT"
            and trig.mode == "visit"
            and p.type == "LOC"
            and (p.prep == "" or p.prep in VISIT_PREPS)
        ):
            location = location or p
            continue
        if p.prep == "بين" or (p.prep == "من" and p.token >= 2 and sent.tokens[p.token - 2].norm == "كل"):
            actors.append(p)
            between = True
            continue
        if between and (p.prep == "" or p.prep == "و") and not recips:
            recips.append(p)
            continue
        if p.prep == "من قبل":
            actors.append(p)
            continue
        if p.prep == "من":
            if harm or etype in ("REQUEST",):
                recips.append(p)
            elif trig.kind == "n":
                actors.append(p)
            continue
        if p.prep == "عن":
            if etype == "CONCEDE":
                recips.append(p)
            continue
        if p.prep in PREP_RECIPIENT or p.prep in ATTACHED_PREPS:
            recips.append(p)
            continue
        if p.prep == "و" and (actors or recips):
            group = recips if recips else actors
            if p.token - group[-1].last <= 3:  # coordination joins neighbours only
                group.append(p)
            continue
        if p.prep == "":
            bare_after += 1
            if p.source == "adjective":
                if p.token == trig.last + 1 and trig.kind == "n":
                    (recips if harm else actors).append(p)
                continue
            if trig.kind == "n":
                if p.token <= trig.last + 2 and not actors and not recips:
                    (recips if harm else actors).append(p)
                continue
            if not actors and bare_after == 1 and not generic_actor:
                if _crosses_phrase(toks, trig.last + 1, p.token):
                    continue  # inside a prepositional phrase, not the subject ("على سفر X")
                actors.append(p)
            elif not recips:
                recips.append(p)
    if not actors and not between and not generic_actor:
        for p in reversed(before):
            if place(p) or not (p.prep == "" or p.prep == "و"):
                continue
            if p in recips:
                continue
            actors.append(p)
            break
    if location is None:
        for p in reversed(before):
            if place(p) or (p.type == "LOC" and p.prep == "" and _hosted(toks, p.token)):
                location = p
                break
    if location is None:
        for p in parts:
            if p.token >= hi and place(p) and p.token - hi < 8:
                location = p
                break
    args: list[Argument] = []
    seen: set[tuple[str, str]] = set()
    for role, ps in (("actor", actors), ("recipient", recips)):
        for p in ps:
            if (role, p.name) in seen or (location is not None and p.name == location.name):
                continue
            if role == "recipient" and ("actor", p.name) in seen:
                continue
            seen.add((role, p.name))
            args.append(Argument(role, p.name, p.type, p.start, p.end))
    loc_name = None
    if location is not None:
        loc_name = location.name
        args.append(Argument("location", location.name, "LOC", location.start, location.end))
    return args, loc_name


def mentions_in(doc: Document, sent: Sentence) -> list[Mention]:
    return [m for m in doc.mentions if sent.start <= m.start < sent.end]
