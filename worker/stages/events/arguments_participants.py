"""Participants of an event's clause, with the preposition that governs each.

Participants are the clause's entity mentions, nationality adjectives that stand for a state of
the article ("الغزو الروسي" → روسيا) and titles that name a person of the article ("وزير الخارجية
الأمريكي" → the person the article introduces with that title). The preposition of a name is in
its word ("بموسكو"), in the word before it ("مع لافروف") or before the title or genitive head
that precedes it ("مع وزير الخارجية الروسي سيرغي لافروف"); ``arguments.py`` gives roles from it.

Each construction is one named rule below; the word lists are data files in
``worker/lang/ar/arguments/``.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import attrgetter

from worker.lang.ar import ordered, words
from worker.lang.ar.lexicons import nationalities
from worker.lang.ar.morphology import adjective_stem, without_conjunction
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Sentence, Token

_END = attrgetter("end")

# --- Word lists (worker/lang/ar/arguments/*.tsv) ---

PREP_RECIPIENT = words("arguments/prep_recipient")
PREP_LOCATION = words("arguments/prep_location")
# a preposition in the word before a name governs it ("مع لافروف", "ومع لافروف", "في موسكو")
ROLE_PREPS = PREP_RECIPIENT | PREP_LOCATION
BREAKS = words("arguments/breaks")
RELATIVES = words("arguments/relatives")
TITLE_HEADS = words("arguments/title_heads")
PLACE_LABELS = words("arguments/place_labels")
GOVERNING_PARTICLES = words("arguments/governing_particles")
ATTACHED_PREPS = words("arguments/attached_preps")
PLURAL_SUFFIXES = ordered("arguments/plural_suffixes")
# nouns that head a genitive or title before a name: the preposition before them governs the name
# ("مع وزير الخارجية الروسي سيرغي لافروف", "على سفر قاسم سليماني", "لشركة النفط")
PHRASE_HEADS = TITLE_HEADS | words("arguments/phrase_heads")

# --- Windows (in tokens) and thresholds ---

# A preposition governs a name through a title or genitive head at most five tokens back, four
# words between ("مع وزير الخارجية الروسي سيرغي لافروف" has three).
PHRASE_LOOKBACK = 5
# The title the article gives a person stands within six words before or after the name
# ("وزير الخارجية الأمريكي أنتوني بلينكن", "بلينكن وزير الخارجية الأمريكي").
TITLE_SPAN = 6
# A title without a name takes its head and at most five words after it ("وزير الخارجية الأمريكي").
TITLE_TAIL = 5
# A title resolves to a person when it has at least two words and shares at least two, a head
# among them, with the person's known title: a head alone ("الوزير") is too vague.
MIN_TITLE_WORDS = 2
# A person named at most three tokens after a titled organisation holds the title ("رئيس مجلس
# الوزراء خالد محفوظ بحاح").
TITLED_NAME_GAP = 3
# A word with an attached "بـ"/"لـ" and at least five letters is a masdar with a preposition
# ("بإسقاط").
MASDAR_MIN_LETTERS = 5

# the entity types that take part in events
PARTICIPANT_TYPES = ("PERS", "ORG", "LOC")


@dataclass(frozen=True)
class Participant:
    """A name that can take a role in the clause: a mention, a nationality adjective standing for
    a state, or a title standing for a person."""

    name: str
    type: str
    start: int
    end: int
    token: int  # index of the first token in the sentence
    last: int
    prep: str  # the preposition before it ("" when bare)
    source: str  # "mention" | "adjective" | "title" | "reference"
    after_noun: bool = False  # an adjective right after a noun
    joined: bool = False  # «و» stands right before it, attached («وكفرية») or apart


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


# The definite article with its clitics, and the endings of a nisba that a group's name shares
# with its adjective ("الحوثيين", "الحوثيون", "الحوثية"); both longest first.
NISBA_PREFIXES = ordered("arguments/nisba_prefixes")
NISBA_ENDINGS = ordered("arguments/nisba_endings")
# a nisba stem shorter than this is no name ("الذي", "التي" end like one)
MIN_NISBA_STEM = 3


# asked of every word of a sentence with a trigger, and of every mention's words: once per word type
@lru_cache(maxsize=1 << 16)
def _nisba_stem(w: str) -> str | None:
    """The stem of a definite nisba word ("الحوثيين", "والحوثية" → "حوث"), else None."""
    pre = next((p for p in NISBA_PREFIXES if w.startswith(p)), None)
    if pre is None:
        return None
    rest = w[len(pre) :]
    end = next((e for e in NISBA_ENDINGS if rest.endswith(e)), None)
    if end is None or len(rest) - len(end) < MIN_NISBA_STEM:
        return None
    return rest[: -len(end)]


def group_names(doc: Document) -> dict[str, str]:
    """nisba stem → the canonical name of an organisation the article names by a nisba of one
    word ("الحوثيين"), so its other forms stand for it ("الحوثيون", "الميليشيات الحوثية").
    Nationalities are left to state_names: their adjective names the state."""
    out: dict[str, str] = {}
    for m in doc.mentions:
        if m.type != "ORG" or " " in m.canonical:
            continue
        w = normalise(m.canonical)
        stem = _nisba_stem(w)
        if stem and adjective_stem(w) is None:
            out.setdefault(stem, m.canonical)
    return out


# --- Clitics ---


def _without_wa(w: str) -> str:
    """A word without an attached conjunction "و" ("ووزير" → "وزير"); unlike Token.bare, "ف"
    stays ("فرنسا"). A word's own first "و" goes too ("وزير" → "زير"): title words are compared
    after the same stripping on both sides (_norm_title_word), so it does no harm there."""
    return without_conjunction(w) if w[:1] == "و" else w


def _wa_then(w: str, vocab: frozenset[str]) -> bool:
    """Whether ``w`` is "و" attached to a word of ``vocab`` ("ووزير", "ومع")."""
    return w[:1] == "و" and w[1:] in vocab


def drop_wa_before(w: str, vocab: frozenset[str]) -> str:
    """``w`` without an attached "و" when what follows it is a word of ``vocab``."""
    return w[1:] if _wa_then(w, vocab) else w


def _title_head(w: str) -> str:
    """A title head without an attached "و" ("ووزير" → "وزير"); other words unchanged."""
    return drop_wa_before(w, TITLE_HEADS)


def _first_token(toks: tuple[Token, ...], start: int) -> int | None:
    """The index of the token that holds character ``start``, None past the sentence."""
    i = bisect_right(toks, start, key=_END)  # tokens are in text order and do not overlap
    return i if i < len(toks) else None


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
    "مع"), or "و" attached to a head further back ("ووزير الدفاع رئيس الوفد بيار" → "و")."""
    if bare in PREP_RECIPIENT or bare in GOVERNING_PARTICLES:
        return bare
    if _wa_then(w, PHRASE_HEADS):
        return "و"
    return None


def _prep_attached_to_head(bare: str, nouns: int) -> str | None:
    """A preposition attached to the head itself ("لشركة النفط" → "ل", "بحكومة" → "ب",
    "للقوات" → "ل"), or to a masdar before an indefinite genitive ("هددت بإسقاط حكم حماس" →
    "ب")."""
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
    """The words from a title head up to the name at token k ("الرئيس الأمريكي جو بايدن" →
    {الرئيس, الامريكي}); nothing when no head stands within TITLE_SPAN words."""
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


@cache
def _state_adjectives() -> dict[str, str]:
    """A state's one-word name → its adjective stem ("اليمن" → "يمني"), capitals left out."""
    out: dict[str, str] = {}
    for adj, names in nationalities().items():
        out.setdefault(names[0], adj)
    return out


def _norm_title_word(w: str) -> str:
    """A title word as titles are compared: without "و", a nationality adjective or the state's
    name as the adjective's stem ("الروسي", "روسيا" → "@" + "روسي": "نائب الرئيس اليمني" is
    "نائب رئيس اليمن"), the article dropped when three letters remain ("الخارجيه" → "خارجيه")."""
    w = _without_wa(w)
    stem = adjective_stem(w) or _state_adjectives().get(w)
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
        part = Participant(m.canonical, m.type, m.start, m.end, k, last or k, prep, "mention")
        out.append(dataclasses.replace(part, joined=_joined(doc, toks, k, m.start)))
    return out, covered


def _joined(doc: Document, toks: tuple[Token, ...], k: int, start: int) -> bool:
    """«و» stands right before the name at token k: attached to its word («وكفرية», «والجهاد»)
    or as a word of its own."""
    clitic = normalise(doc.text[toks[k].start : start]) if start > toks[k].start else ""
    return clitic[:1] == "و" or (k > 0 and toks[k - 1].norm == "و")


# A feminine place label ("بلدة", "مدينة"): its definite dual ("البلدتين") names again the two
# places its construct dual named before ("بلدتي الفوعة وكفرية").
DUAL_PLACE_LABELS = words("link/loc_labels")
DUAL_ENDINGS = ordered("arguments/dual_endings")
CONSTRUCT_DUAL = "تي"  # the construct dual before the names
FEMININE = "ه"
ARTICLE = "ال"


def _named_pair(doc: Document, label: str, before: int) -> tuple | None:
    """The two places the last construct dual of ``label`` named before offset ``before``:
    "بلدتي الفوعة وكفرية" → the mentions of الفوعة and كفرية."""
    dual = label[: -len(FEMININE)] + CONSTRUCT_DUAL
    for sent in reversed(doc.sentences):
        if sent.start >= before:
            continue
        toks = sent.tokens
        for k in range(len(toks) - 1, -1, -1):
            if toks[k].start >= before or dual not in (toks[k].norm, toks[k].stem):
                continue
            after = [m for m in doc.mentions if m.type == "LOC" and toks[k].end <= m.start < sent.end]
            if len(after) >= 2 and after[1].start - after[0].end <= 3:  # "الفوعة وكفرية"
                return after[0], after[1]
    return None


def _dual_reference(doc: Document, toks: tuple[Token, ...], k: int) -> list[Participant]:
    """The two places a definite dual place label names again ("استهدفت البلدتين" → الفوعة,
    كفرية)."""
    w = toks[k].stem
    end = next((e for e in DUAL_ENDINGS if w.endswith(e)), None)
    if not w.startswith(ARTICLE) or end is None:
        return []
    label = w[len(ARTICLE) : -len(end)] + FEMININE
    if label not in DUAL_PLACE_LABELS:
        return []
    pair = _named_pair(doc, label, toks[k].start)
    if pair is None:
        return []
    tok = toks[k]
    first, second = (Participant(m.canonical, "LOC", tok.start, tok.end, k, k, "", "reference") for m in pair)
    return [first, dataclasses.replace(second, joined=True)]


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


def _group_word(toks: tuple[Token, ...], k: int, groups: dict[str, str]) -> Participant | None:
    """A form of a group's nisba name the mentions missed stands for the group the article names
    ("حمل الحوثيون", "الميليشيات الحوثية" → الحوثيين); in the plural too, unlike a state."""
    tok = toks[k]
    stem = _nisba_stem(tok.norm)
    if stem is None or stem not in groups:
        return None
    return Participant(groups[stem], "ORG", tok.start, tok.end, k, k, "", "adjective", after_noun=k > 0)


def _title_words(
    toks: tuple[Token, ...], k: int, covered: set[int], stops: frozenset[int] = frozenset()
) -> tuple[list[str], int]:
    """The title head at token k and up to TITLE_TAIL words after it, to a break, a relative, a
    name or one of ``stops`` (an event's trigger: "ولي ولي العهد يلتقي …" ends before the verb);
    and the index of the token after them."""
    words = [_title_head(toks[k].norm)]
    j = k + 1
    while (
        j < len(toks)
        and j - k <= TITLE_TAIL
        and j not in covered
        and j not in stops
        and toks[j].norm not in BREAKS
        and toks[j].norm not in RELATIVES
    ):
        words.append(toks[j].norm)
        j += 1
    return words, j


def _title_at(
    doc: Document,
    sent: Sentence,
    k: int,
    titles: dict[str, set[str]],
    covered: set[int],
    stops: frozenset[int] = frozenset(),
) -> tuple[Participant | None, int]:
    """A title with no name after it stands for the person the article gives that title ("وزير
    الخارجية الأمريكي" → بلينكن): the participant at token k, if any, and the next token to
    look at. A head right after another head completes that title ("نائب الرئيس", "ولي ولي
    العهد") and starts none of its own."""
    toks = sent.tokens
    if k in covered or _title_head(toks[k].norm) not in TITLE_HEADS:
        return None, k + 1
    if k > 0 and _title_head(toks[k - 1].norm) in TITLE_HEADS:
        return None, k + 1
    words, j = _title_words(toks, k, covered, stops)
    if j in covered:
        return None, j  # a name follows: the mention itself is the participant
    person = resolve_title(words, titles) if len(words) >= MIN_TITLE_WORDS else None
    if not person:
        return None, k + 1
    prep = _prep_before(doc, sent, k, toks[k].start)
    return Participant(person, "PERS", toks[k].start, toks[j - 1].end, k, j - 1, prep, "title"), j


def _title_participants(
    doc: Document,
    sent: Sentence,
    titles: dict[str, set[str]],
    covered: set[int],
    stops: frozenset[int] = frozenset(),
) -> list[Participant]:
    """The persons that titles without a name stand for, left to right (see _title_at)."""
    out: list[Participant] = []
    k = 0
    while k < len(sent.tokens):
        part, nxt = _title_at(doc, sent, k, titles, covered, stops)
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
    resolved to their person), the nationality adjectives that stand for a state of the article,
    the other forms of a group's nisba name (group_names) and the titles that stand for a person
    of it. ``trigger_tokens`` bound the look-back for a preposition."""
    sent = doc.sentences[si]
    out, covered = _mention_participants(doc, sent, set(trigger_tokens or ()))
    out = _titled_organisations(out, sent.tokens, titles)
    groups = group_names(doc)
    for k in range(len(sent.tokens)):
        if k not in covered:
            adjective = _state_adjective(sent.tokens, k, states) or _group_word(sent.tokens, k, groups)
            if adjective is not None:
                out.append(adjective)
            else:
                out += _dual_reference(doc, sent.tokens, k)
    out += _title_participants(doc, sent, titles, covered, frozenset(trigger_tokens or ()))
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
