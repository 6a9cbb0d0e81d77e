"""Attribution: who reported what, via whom.

- "حسب ما نقلت شبكة NBC News عن أربعة مسؤولين" → source "NBC News" (named), cited "أربعة مسؤولين";
- "وقال مصدران، إن …" → an unnamed source ("مصدران");
- "قال / أكد / أعلن / أوضح … X إن …" → the speaker X and the span of the reported content (from
  the complementiser إن/أن, a colon or an opening quote to the end of the sentence).

Named sources are entity mentions (canonical names); otherwise the source is the noun phrase after
the cue and ``source_kind`` is "unnamed".
"""

from __future__ import annotations

from worker.lang.ar import words
from worker.stages.document import Attribution, Document, Mention, Sentence, Token

SPEECH_VERBS = words("attribution/speech_verbs")
ACCORDING_TO = words("attribution/according_to")
# a word that is a cue as it is written (_is_cue)
_CUE_FORMS = SPEECH_VERBS | ACCORDING_TO
SOURCE_LABELS = words("attribution/source_labels")
COMPLEMENTISERS = words("attribution/complementisers")
SOURCE_LINKS = words("attribution/source_links")
PHRASE_STOPS = words("attribution/phrase_stops")
COMMAS = words("attribution/commas")
# marks that open reported speech: a colon (the content follows it) or an opening quote (the
# content starts with it)
COLON = ":"
QUOTES = frozenset(("«", "“", '"'))
# entity types that can be a named source
SOURCE_TYPES = ("ORG", "PERS", "LOC")

# Windows in tokens: the complementiser or quote is looked for within 14 tokens of the cue (a
# speaker named at length: "قال وزير الخارجية … في مؤتمر صحفي إن"); a source phrase has at most 3
# words ("مصدر أمني رفيع"), a cited phrase 4 ("أربعة مسؤولين أمريكيين كبار"); "عن" + the cited
# source comes within 4 tokens after the source.
CONTENT_WINDOW = 14
SOURCE_PHRASE_WORDS = 3
CITED_PHRASE_WORDS = 4
CITED_WINDOW = 4


def _mention_at(mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The first entity mention that starts within [start, end)."""
    for m in mentions:
        if start <= m.start < end:
            return m
    return None


def _content(tokens: tuple[Token, ...], k: int, sent_end: int) -> tuple[int | None, int | None]:
    """The reported content: from after "إن/أن" or a colon, or from an opening quote, to the end
    of the sentence ("قال … إن المفاوضات توقفت" → "المفاوضات توقفت")."""
    for j in range(k, min(len(tokens), k + CONTENT_WINDOW)):
        w = tokens[j].norm
        if w in COMPLEMENTISERS or w == COLON or w in QUOTES:
            nxt = j + 1 if w == COLON or w in COMPLEMENTISERS else j
            if nxt < len(tokens):
                return tokens[nxt].start, sent_end
    return None, None


def _phrase(tokens: tuple[Token, ...], k: int, limit: int = SOURCE_PHRASE_WORDS) -> tuple[str | None, int]:
    """A short noun phrase starting at k (stops at punctuation, complementisers, a preposition or
    a time word: "مصدر أمني أمس" → "مصدر أمني")."""
    words: list[Token] = []
    j = k
    while j < len(tokens) and len(words) < limit:
        w = tokens[j].norm
        if not tokens[j].text[0].isalnum() or w in COMPLEMENTISERS or w in PHRASE_STOPS:
            break
        words.append(tokens[j])
        j += 1
    if not words:
        return None, k
    return " ".join(t.text for t in words), j


def _skip_links(toks: tuple[Token, ...], i: int, consumed: set[int]) -> int:
    """The first token of the source after the cue at ``i``, past the linking words of "حسب ما
    نقلت X", "وفقا ل X", "نقلا عن X" (added to ``consumed``: "نقلت" there is no cue of its own)
    and a comma ("وقال، …")."""
    k = i + 1
    while k < len(toks) and toks[k].norm in SOURCE_LINKS:
        consumed.add(k)
        k += 1
    if k < len(toks) and toks[k].norm in COMMAS:
        k += 1
    return k


def _source(toks: tuple[Token, ...], k: int, mentions: list[Mention]) -> tuple[str | None, str, int]:
    """(source, kind, index after it) at ``k``: an entity mention, after a label ("شبكة NBC News",
    "وكالة رويترز") → its canonical name, "named"; else the short phrase at ``k`` ("مصدران",
    "مسؤول أمني") → "unnamed"."""
    j = k
    if k < len(toks) and toks[k].norm in SOURCE_LABELS:
        j = k + 1
    while j < len(toks) and not toks[j].text[0].isalnum():
        j += 1
    if j >= len(toks):
        return None, "unnamed", j
    m = _mention_at(mentions, toks[j].start, toks[min(j + 1, len(toks) - 1)].end)
    if m is not None and m.type in SOURCE_TYPES:
        end_tok = next((x for x in range(j, len(toks)) if toks[x].start >= m.end), len(toks))
        return m.canonical, "named", end_tok
    source, end_tok = _phrase(toks, k)
    return source, "unnamed", end_tok


def _cited(toks: tuple[Token, ...], end_tok: int, mentions: list[Mention]) -> str | None:
    """Whom the source cites: "عن" + a phrase or an entity right after it ("نقلت شبكة NBC عن
    أربعة مسؤولين" → "أربعة مسؤولين")."""
    for x in range(end_tok, min(len(toks), end_tok + CITED_WINDOW)):
        if toks[x].norm == "عن" and x + 1 < len(toks):
            cited, _ = _phrase(toks, x + 1, limit=CITED_PHRASE_WORDS)
            cm = _mention_at(mentions, toks[x + 1].start, toks[min(x + 2, len(toks) - 1)].end)
            return cm.canonical if cm is not None else cited
    return None


def _according_content(
    toks: tuple[Token, ...], cue: Token, end_tok: int, sent: Sentence
) -> tuple[int | None, int | None]:
    """The content of an "according to" cue: after "فإن/أن" when present ("حسب ما نقلت X عن Y
    فإن CONTENT"), else the sentence up to the cue ("CONTENT، حسب ما نقلت X"); None when empty."""
    cs, ce = sent.start, cue.start
    s2, e2 = _content(toks, end_tok, sent.end)
    if s2 is not None:
        cs, ce = s2, e2
    if cs == ce:
        return None, None
    return cs, ce


def _is_cue(tok: Token) -> bool:
    """A speech verb or an "according to" word."""
    return tok.norm in SPEECH_VERBS or tok.bare in SPEECH_VERBS or tok.norm in ACCORDING_TO


def _attribution(
    doc: Document, si: int, i: int, mentions: list[Mention], consumed: set[int]
) -> Attribution | None:
    """The attribution of the cue at token ``i`` of sentence ``si``, or None: a speech verb
    ("قال مصدران، إن …") or an "according to" phrase ("حسب ما نقلت شبكة NBC News عن …")."""
    sent = doc.sentences[si]
    toks = sent.tokens
    tok = toks[i]
    if not _is_cue(tok):
        return None
    is_according = tok.norm in ACCORDING_TO
    k = _skip_links(toks, i, consumed)
    source, kind, end_tok = _source(toks, k, mentions)
    cited = _cited(toks, end_tok, mentions)
    if is_according:
        cs, ce = _according_content(toks, tok, end_tok, sent)
    else:
        cs, ce = _content(toks, i + 1, sent.end)
    if source is None and cs is None:
        return None
    return Attribution(
        cue=tok.text,
        start=tok.start,
        end=tok.end,
        sentence=si,
        source=source,
        source_kind=kind,
        cited=cited,
        content_start=cs,
        content_end=ce,
    )


def find_attributions(doc: Document) -> list[Attribution]:
    """Every attribution of the document, sentence by sentence."""
    out: list[Attribution] = []
    for si, sent in enumerate(doc.sentences):
        # _attribution finds nothing at a word that is no cue (most of them)
        # (_is_cue, without a call for every token)
        cues = [i for i, t in enumerate(sent.tokens) if t.norm in _CUE_FORMS or t.bare in SPEECH_VERBS]
        if not cues:
            continue
        mentions = [m for m in doc.mentions if sent.start <= m.start < sent.end]
        consumed: set[int] = set()
        for i in cues:
            if i in consumed:
                continue
            a = _attribution(doc, si, i, mentions, consumed)
            if a is not None:
                out.append(a)
    return out
