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
from worker.stages.document import Attribution, Document, Mention, Token

SPEECH_VERBS = words("attribution/speech_verbs")
ACCORDING_TO = words("attribution/according_to")
SOURCE_LABELS = words("attribution/source_labels")
UNNAMED_HEADS = words("attribution/unnamed_heads")
COMPLEMENTISERS = words("attribution/complementisers")


def _bare(w: str) -> str:
    return w[1:] if len(w) > 3 and w[0] in "وف" else w


def _mention_at(mentions: list[Mention], start: int, end: int) -> Mention | None:
    for m in mentions:
        if start <= m.start < end:
            return m
    return None


def _content(tokens: tuple[Token, ...], k: int, sent_end: int) -> tuple[int | None, int | None]:
    for j in range(k, min(len(tokens), k + 14)):
        w = tokens[j].norm
        if w in COMPLEMENTISERS or w in (":", "«", "“", '"'):
            nxt = j + 1 if w in (":",) or w in COMPLEMENTISERS else j
            if nxt < len(tokens):
                return tokens[nxt].start, sent_end
    return None, None


def _phrase(tokens: tuple[Token, ...], k: int, limit: int = 3) -> tuple[str | None, int]:
    """A short noun phrase starting at k (stops at punctuation and complementisers)."""
    words: list[Token] = []
    j = k
    while j < len(tokens) and len(words) < limit:
        w = tokens[j].norm
        if (
            not tokens[j].text[0].isalnum()
            or w in COMPLEMENTISERS
            or w in ("عن", "في", "الي", "ل", "امس", "اليوم")
        ):
            break
        words.append(tokens[j])
        j += 1
    if not words:
        return None, k
    return " ".join(t.text for t in words), j


def find_attributions(doc: Document) -> list[Attribution]:
    out: list[Attribution] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        mentions = [m for m in doc.mentions if sent.start <= m.start < sent.end]
        consumed: set[int] = set()
        for i, tok in enumerate(toks):
            if i in consumed:
                continue
            w = tok.norm
            bare = _bare(w)
            is_speech = w in SPEECH_VERBS or bare in SPEECH_VERBS
            is_according = w in ACCORDING_TO
            if not (is_speech or is_according):
                continue
            k = i + 1
            # "حسب ما نقلت X" / "وفقا ل X" / "نقلا عن X"
            while k < len(toks) and toks[k].norm in (
                "ما",
                "ل",
                "عن",
                "الي",
                "لما",
                "نقلت",
                "نقل",
                "ذكرت",
                "ذكر",
                "افادت",
                "اوردت",
                "قالت",
            ):
                consumed.add(k)
                k += 1
            if k < len(toks) and toks[k].norm in ("،", ","):
                k += 1
            source: str | None = None
            kind = "unnamed"
            j = k
            if k < len(toks) and toks[k].norm in SOURCE_LABELS:
                j = k + 1
            while j < len(toks) and not toks[j].text[0].isalnum():
                j += 1
            if j < len(toks):
                m = _mention_at(mentions, toks[j].start, toks[min(j + 1, len(toks) - 1)].end)
                if m is not None and m.type in ("ORG", "PERS", "LOC"):
                    source, kind = m.canonical, "named"
                    end_tok = next((x for x in range(j, len(toks)) if toks[x].start >= m.end), len(toks))
                else:
                    source, end_tok = _phrase(toks, k)
                    if source is None or _bare(toks[k].norm) not in UNNAMED_HEADS and not is_according:
                        if is_speech and source is None:
                            source = None
                    kind = "unnamed"
            else:
                end_tok = j
            cited = None
            for x in range(end_tok, min(len(toks), end_tok + 4)):
                if toks[x].norm == "عن" and x + 1 < len(toks):
                    cited, _ = _phrase(toks, x + 1, limit=4)
                    cm = _mention_at(mentions, toks[x + 1].start, toks[min(x + 2, len(toks) - 1)].end)
                    if cm is not None:
                        cited = cm.canonical
                    break
            if is_according:
                cs, ce = sent.start, tok.start
                # "حسب ما نقلت X عن Y فإن CONTENT" → content after فإن/أن when present
                s2, e2 = _content(toks, end_tok, sent.end)
                if s2 is not None:
                    cs, ce = s2, e2
                if cs == ce:
                    cs, ce = None, None
            else:
                cs, ce = _content(toks, i + 1, sent.end)
            if source is None and cs is None:
                continue
            out.append(
                Attribution(
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
            )
    return out
