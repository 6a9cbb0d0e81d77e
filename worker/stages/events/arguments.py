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

Each construction is one named rule below; the word lists are data files in
``worker/lang/ar/arguments/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from worker.lang.ar import ordered, words
from worker.lang.ar.lexicons import nationalities
from worker.lang.ar.morphology import adjective_stem, without_conjunction
from worker.lang.ar.normalise import normalise
from worker.stages.document import Argument, Document, Mention, Sentence, Token

if TYPE_CHECKING:
    from worker.stages.events.triggers import Trigger

# --- Word lists (worker/lang/ar/arguments/*.tsv) ---

PREP_RECIPIENT = words("arguments/prep_recipient")
PREP_LOCATION = words("arguments/prep_location")
# a preposition in the word before a name governs it ("مع لافروف", "ومع لافروف", "في موسكو")
ROLE_PREPS = PREP_RECIPIENT | PREP_LOCATION
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
# nouns that head a genitive or title before a name: the preposition before them governs the name
# ("مع وزير الخارجية الروسي سيرغي لافروف", "على سفر قاسم سليماني", "لشركة النفط")
PHRASE_HEADS = TITLE_HEADS | words("arguments/phrase_heads")
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
# A preposition governs a name through a title or genitive head at most five words back: "مع وزير
# الخارجية الروسي سيرغي لافروف" has four words between "مع" and "لافروف".
PHRASE_LOOKBACK = 5
# The title the article gives a person stands within six words before or after the name
# ("وزير الخارجية الأمريكي أنتوني بلينكن", "بلينكن وزير الخارجية الأمريكي").
TITLE_SPAN = 6
# A title without a name takes its head and at most five words after it ("وزير الخارجية الأمريكي").
TITLE_TAIL = 5
# A title resolves to a person when it shares the head and at least one more word with the
# person's known title: a head alone ("الوزير") is too vague.
MIN_TITLE_WORDS = 2
# A person named at most three tokens after a titled organisation holds the title ("رئيس مجلس
# الوزراء خالد محفوظ بحاح").
TITLED_NAME_GAP = 3
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
# A word with an attached "بـ"/"لـ" and at least five letters is a masdar with a preposition
# ("بإسقاط").
MASDAR_MIN_LETTERS = 5

PARTICIPANT_TYPES = ("PERS", "ORG", "LOC")


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


# --- Clitics ---


def _without_wa(w: str) -> str:
    """A word without an attached conjunction "و" ("ووزير" → "وزير"); unlike Token.bare, "ف"
    stays ("فرنسا")."""
    return without_conjunction(w) if w[:1] == "و" else w


def _wa_then(w: str, vocab: frozenset[str]) -> bool:
    """Whether ``w`` is "و" attached to a word of ``vocab`` ("ووزير", "ومع")."""
    return w[:1] == "و" and w[1:] in vocab


def _drop_wa_before(w: str, vocab: frozenset[str]) -> str:
    """``w`` without an attached "و" when what follows it is a word of ``vocab``."""
    return w[1:] if _wa_then(w, vocab) else w


def _title_head(w: str) -> str:
    """A title head without an attached "و" ("ووزير" → "وزير"); other words unchanged."""
    return _drop_wa_before(w, TITLE_HEADS)


def _first_token(toks: tuple[Token, ...], start: int) -> int | None:
    """The index of the token that holds character ``start``, None past the sentence."""
    return next((i for i, t in enumerate(toks) if t.end > start), None)


# --- The preposition that governs a name ---


def _attached_prep(clitic: str, norm: str) -> str:
    """The preposition attached to the name's word: "بموسكو" → "ب", "لروسيا", "للعراق" → "ل"
    (``clitic`` is what stands before the name in its word)."""
    if clitic.endswith("ب"):
        return "ب"
    if clitic.endswith("ل"):
        return "ل"
    if clitic == "" and norm.startswith("لل"):
        return "ل"
    return ""


def _word_prep(toks: tuple[Token, ...], k: int) -> str:
    """The preposition in the word before the name at token k: "من قبل الشرطة" → "من قبل", "مع
    لافروف", "ومع لافروف" → "مع", "بين", "و"; a place label ("بريف دمشق", "محافظة إدلب")
    counts as "في"."""
    prev = toks[k - 1].norm
    if prev == "قبل" and k > 1 and toks[k - 2].norm == "من":
        return "من قبل"
    if prev in ROLE_PREPS or prev in GOVERNING_PARTICLES or prev == "و":
        return prev
    if _wa_then(prev, ROLE_PREPS):
        return prev[1:]
    if prev in PLACE_LABELS:
        return "في"
    return ""


def _prep_before(doc: Document, sent: Sentence, k: int, start: int) -> str:
    """The preposition governing the word at token k whose name starts at ``start``."""
    tok = sent.tokens[k]
    clitic = normalise(doc.text[tok.start : start]) if start > tok.start else ""
    found = _attached_prep(clitic, tok.norm)
    if found or k == 0:
        return found
    return _word_prep(sent.tokens, k)


def _is_phrase_head(w: str) -> bool:
    """A title or genitive head, with or without the article ("وزير", "الوزير", "سفر")."""
    head = w[2:] if w.startswith("ال") else w
    return w in PHRASE_HEADS or head in PHRASE_HEADS


def _prep_before_head(w: str, bare: str) -> str | None:
    """Once a head is crossed: the preposition before it ("مع وزير الخارجية الروسي لافروف" →
    "مع"), or "و" attached to a further head ("بين لافروف ووزير الخارجية الأمريكي بلينكن")."""
    if bare in PREP_RECIPIENT or bare in GOVERNING_PARTICLES:
        return bare
    if _wa_then(w, PHRASE_HEADS):
        return "و"
    return None


def _prep_attached_to_head(bare: str, nouns: int) -> str | None:
    """A preposition attached to the head itself ("لشركة النفط", "بحكومة", "للقوات" → "ل"), or
    to a masdar before an indefinite genitive ("هددت بإسقاط حكم حماس" → "ب")."""
    if bare[:1] in ATTACHED_PREPS and bare[1:] in PHRASE_HEADS:
        return bare[0]
    if bare.startswith("لل") and bare[2:] in PHRASE_HEADS:
        return "ل"
    if bare[:1] in ATTACHED_PREPS and len(bare) >= MASDAR_MIN_LETTERS and nouns:
        return bare[0]
    return None


@dataclass
class _PhraseWalk:
    """The look-back from a name to the preposition before its title or genitive head: whether
    a head has been crossed, and how many indefinite nouns."""

    crossed: bool = False
    nouns: int = 0

    def step(self, w: str) -> str | None:
        """The preposition found at the word ``w``, "" to stop without one, None to look on."""
        if w in BREAKS:
            return ""
        bare = w if w in PHRASE_HEADS else _without_wa(w)
        if self.crossed:
            found = _prep_before_head(w, bare)
            if found is not None:
                return found
        if _is_phrase_head(bare):
            if w != bare:
                return "و"  # "بين لافروف ووزير الخارجية الأمريكي أنتوني بلينكن"
            self.crossed = True
            return None
        found = _prep_attached_to_head(bare, self.nouns)
        if found is not None:
            return found
        return self._cross_noun(bare)

    def _cross_noun(self, bare: str) -> str | None:
        """Definite words and adjectives are crossed freely ("وزير الخارجية الروسي"), and one
        indefinite genitive head ("حكم", "سفر"); a second one, or a relative, ends the phrase."""
        if bare.startswith("ال") or adjective_stem(bare):
            return None
        if self.nouns >= 1 or bare in BREAKS or bare in RELATIVES:
            return ""
        self.nouns += 1
        return None


def _prep_through_phrase(doc: Document, sent: Sentence, k: int, stops: set[int]) -> str:
    """The preposition before the title or genitive head that precedes the name at token k
    ("مع وزير الخارجية الروسي سيرغي لافروف" → "مع"); the look-back stops at a trigger token in
    ``stops``."""
    toks = sent.tokens
    walk = _PhraseWalk()
    for j in range(k - 1, max(-1, k - 1 - PHRASE_LOOKBACK), -1):
        if j in stops:
            break
        found = walk.step(toks[j].norm)
        if found is not None:
            return found
    return ""


# --- Titles ---


def _title_before(toks: tuple[Token, ...], k: int) -> set[str]:
    """The words from a title head up to the name at token k ("وزير الخارجية الأمريكي أنتوني
    بلينكن" → {وزير, الخارجيه, الامريكي}); nothing when no head stands within TITLE_SPAN words."""
    found: set[str] = set()
    for j in range(k - 1, max(-1, k - 1 - TITLE_SPAN), -1):
        w = toks[j].norm
        if w in BREAKS:
            return set()
        found.add(_without_wa(w))
        if _title_head(w) in TITLE_HEADS:
            return found
    return set()


def _title_after(toks: tuple[Token, ...], end: int) -> set[str]:
    """The title right after a name that ends at ``end`` ("بلينكن وزير الخارجية الأمريكي"): up to
    TITLE_SPAN words from its head to a break."""
    e = next((i for i, t in enumerate(toks) if t.start >= end), len(toks))
    if e >= len(toks) or toks[e].norm not in TITLE_HEADS:
        return set()
    found: set[str] = set()
    for t in toks[e : e + TITLE_SPAN]:
        if t.norm in BREAKS:
            break
        found.add(t.norm)
    return found


def title_index(doc: Document) -> dict[str, set[str]]:
    """PERS canonical → the words of the titles the article puts right before or after its name."""
    out: dict[str, set[str]] = {}
    for sent in doc.sentences:
        toks = sent.tokens
        for m in doc.mentions:
            if m.type != "PERS" or not sent.start <= m.start < sent.end:
                continue
            k = _first_token(toks, m.start)
            if k is None:
                continue
            found = _title_before(toks, k) | _title_after(toks, m.end)
            if found:
                out.setdefault(m.canonical, set()).update(found)
    return out


def _norm_title_word(w: str) -> str:
    """A title word as titles are compared: without "و", a nationality adjective as its stem
    ("@" + "روسي"), the article dropped when three letters remain ("الخارجيه" → "خارجيه")."""
    w = _without_wa(w)
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
    if best is None or tie or best_score < MIN_TITLE_WORDS:
        return None
    return best


# --- Participants ---


def _mention_participants(
    doc: Document, sent: Sentence, stops: set[int]
) -> tuple[list[Participant], set[int]]:
    """The sentence's PERS/ORG/LOC mentions with the preposition that governs each, directly
    ("مع لافروف") or through a title ("مع وزير الخارجية الروسي لافروف"); and the tokens they
    cover."""
    toks = sent.tokens
    out: list[Participant] = []
    covered: set[int] = set()
    for m in doc.mentions:
        if not sent.start <= m.start < sent.end or m.type not in PARTICIPANT_TYPES:
            continue
        k = _first_token(toks, m.start)
        if k is None:
            continue
        last = next((i for i in range(len(toks) - 1, -1, -1) if toks[i].start < m.end), k)
        covered.update(range(k, (last or k) + 1))
        prep = _prep_before(doc, sent, k, m.start) or _prep_through_phrase(doc, sent, k, stops)
        out.append(Participant(m.canonical, m.type, m.start, m.end, k, last or k, prep, "mention"))
    return out, covered


def _state_adjective(toks: tuple[Token, ...], k: int, states: dict[str, str]) -> Participant | None:
    """A nationality adjective after a noun stands for a state the article names ("الغزو الروسي"
    → روسيا); not in the plural ("مسؤولون روس", "الروسيين": a group, not the state), nor as part
    of a title ("وزير الخارجية الروسي": titles are resolved apart)."""
    tok = toks[k]
    stem = adjective_stem(tok.norm)
    if not stem or stem not in states or k == 0:
        return None
    prev = toks[k - 1].norm
    if prev in BREAKS or tok.norm.endswith(PLURAL_SUFFIXES):
        return None
    prev2 = toks[k - 2].norm if k > 1 else ""
    if _title_head(prev) in TITLE_HEADS or _title_head(prev2) in TITLE_HEADS:
        return None
    return Participant(states[stem], "LOC", tok.start, tok.end, k, k, "", "adjective", after_noun=True)


def _title_words(toks: tuple[Token, ...], k: int, covered: set[int]) -> tuple[list[str], int]:
    """The title head at token k and up to TITLE_TAIL words after it, to a break, a relative or a
    name; and the index of the token after them."""
    words = [_title_head(toks[k].norm)]
    j = k + 1
    while (
        j < len(toks)
        and j - k <= TITLE_TAIL
        and j not in covered
        and toks[j].norm not in BREAKS
        and toks[j].norm not in RELATIVES
    ):
        words.append(toks[j].norm)
        j += 1
    return words, j


def _title_at(
    doc: Document, sent: Sentence, k: int, titles: dict[str, set[str]], covered: set[int]
) -> tuple[Participant | None, int]:
    """A title with no name after it stands for the person the article gives that title ("وزير
    الخارجية الأمريكي" → بلينكن): the participant at token k, if any, and the next token to
    look at."""
    toks = sent.tokens
    if k in covered or _title_head(toks[k].norm) not in TITLE_HEADS:
        return None, k + 1
    words, j = _title_words(toks, k, covered)
    if j in covered:
        return None, j  # a name follows: the mention itself is the participant
    person = resolve_title(words, titles) if len(words) >= MIN_TITLE_WORDS else None
    if not person:
        return None, k + 1
    prep = _prep_before(doc, sent, k, toks[k].start)
    return Participant(person, "PERS", toks[k].start, toks[j - 1].end, k, j - 1, prep, "title"), j


def _title_participants(
    doc: Document, sent: Sentence, titles: dict[str, set[str]], covered: set[int]
) -> list[Participant]:
    """The persons that titles without a name stand for, left to right (see _title_at)."""
    out: list[Participant] = []
    k = 0
    while k < len(sent.tokens):
        part, nxt = _title_at(doc, sent, k, titles, covered)
        if part is not None:
            out.append(part)
            covered.update(range(k, nxt))
        k = nxt
    return out


def participants(
    doc: Document,
    si: int,
    states: dict[str, str],
    titles: dict[str, set[str]],
    trigger_tokens: set[int] | None = None,
) -> list[Participant]:
    """The participants of sentence ``si`` in token order: its mentions (titled organisations
    resolved to their person), the nationality adjectives that stand for a state of the article
    and the titles that stand for a person of it. ``trigger_tokens`` bound the look-back for a
    preposition."""
    sent = doc.sentences[si]
    out, covered = _mention_participants(doc, sent, set(trigger_tokens or ()))
    out = _titled_organisations(out, sent.tokens, titles)
    for k in range(len(sent.tokens)):
        if k not in covered:
            adjective = _state_adjective(sent.tokens, k, states)
            if adjective is not None:
                out.append(adjective)
    out += _title_participants(doc, sent, titles, covered)
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
        prev = _title_head(toks[p.token - 1].norm)
        if prev not in TITLE_HEADS:
            out.append(p)
            continue
        if any(p.last < q.token <= p.last + TITLED_NAME_GAP for q in persons):
            continue
        words = [prev, *(t.norm for t in toks[p.token : p.last + 1])]
        person = resolve_title(words, titles)
        if person:
            out.append(Participant(person, "PERS", p.start, p.end, p.token - 1, p.last, p.prep, "title"))
        else:
            out.append(p)
    return out


# --- The clause ---


def _crosses_phrase(toks, lo: int, hi: int) -> bool:
    """Whether a preposition or a break stands between token lo and token hi (exclusive)."""
    for t in toks[lo:hi]:
        w = _drop_wa_before(t.norm, PHRASE_PREPS)
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
    """A hosting verb ("شهدت", "استضافت") up to three words before token ``k`` ("شهدت العاصمة
    الروسية موسكو"), with nothing but words between."""
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
    return [m for m in doc.mentions if sent.start <= m.start < sent.end]
