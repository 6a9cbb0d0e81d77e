"""Names the tagger missed that a word before them or a list gives away: a place after a place
label ("قضاء البعاج"), an organisation after an organisation label ("تنظيم داعش"), and the
names of the gazetteer (worker/lang/ar/names/gazetteer.tsv)."""

from __future__ import annotations

from functools import cache

from worker.lang.ar.lexicons import gazetteer
from worker.lang.ar.morphology import adjective_stem
from worker.stages.document import Document, Mention, Token
from worker.stages.link.common import (
    ARTICLE,
    CONJUNCTION,
    DIRECTIONS,
    FUNCTION_WORDS,
    GAZETTEER_SCORE,
    LABEL_SCORE,
    LOC_LABELS,
    NAME_PARTICLES,
    ORG_LABELS,
    WORD,
    after_clitic,
    city_names,
    is_common_word,
)

# the construct dual's ending of a feminine label, and the singular's ending it stands for
DUAL_ENDING = "تي"
FEMININE_ENDING = "ه"
# gazetteer names are looked up two words first ("الولايات المتحدة" before "المتحدة")
GAZETTEER_LENGTHS = (2, 1)


def _dual_place_label(tok: Token) -> bool:
    """The dual of a feminine place label before two names: "بلدتي الفوعة وكفرية", "مدينتي حلب
    وإدلب" (the construct dual ends in تي where the singular ends in ة)."""
    w = tok.norm
    return w.endswith(DUAL_ENDING) and w[: -len(DUAL_ENDING)] + FEMININE_ENDING in LOC_LABELS


def _second_name(doc: Document, si: int, k: int) -> Mention | None:
    """The name after "و" that follows the first name of a dual label at ``k``: "وكفرية"."""
    toks = doc.sentences[si].tokens
    if k + 2 >= len(toks):
        return None
    second = toks[k + 2]
    if not second.norm.startswith(CONJUNCTION) or second.clitic_len != 1 or not WORD.match(second.text):
        return None
    if second.stem in FUNCTION_WORDS or adjective_stem(second.stem) or not _may_name_a_place(second.stem):
        return None
    start = second.start + 1
    name = doc.text[start : second.end]
    return Mention(name, "LOC", start, second.end, name, si, LABEL_SCORE, "label")


def _label_type(tok: Token) -> str | None:
    """The type a label gives the name after it: "بريف" → LOC, "وتنظيم" → ORG."""
    if tok.stem in LOC_LABELS or _dual_place_label(tok):
        return "LOC"
    if tok.stem in ORG_LABELS:
        return "ORG"
    return None


def _two_word_name(toks: tuple[Token, ...], k: int) -> bool:
    """The name after the label at ``k`` has two words: a particle and its noun ("بلدة دير
    الزور", "مخيم عين الحلوة") or a direction after it ("ريف حمص الشمالي")."""
    return k + 2 < len(toks) and (toks[k + 1].norm in NAME_PARTICLES or toks[k + 2].norm in DIRECTIONS)


def _is_org_name(first: Token) -> bool:
    """After an organisation label only a known name, a definite proper noun or a Latin name
    is a name ("تنظيم داعش", "قناة الجزيرة", "شبكة CNN"; not "قوات النظام"… "حركة واسعة")."""
    return first.norm in gazetteer() or first.norm.startswith(ARTICLE) or first.text[0].isascii()


def _may_name_a_place(w: str) -> bool:
    """One word after a place label names a place unless it is an indefinite word general text
    uses as a common word ("مدينة أخرى", "منطقة قريبة", "دولة واحدة") and no gazetteer knows it
    as a place ("محافظة إب", "مدينة صور")."""
    if w.startswith(ARTICLE) or not is_common_word(w):
        return True
    return w in gazetteer() or w in city_names()


def _name_after_label(doc: Document, si: int, k: int, label_type: str) -> Mention | None:
    """The name after the label at word ``k`` of sentence ``si``: "قضاء البعاج" → "البعاج"
    (not a function word or a nationality: "المدينة في", "القوات الروسية")."""
    toks = doc.sentences[si].tokens
    first = toks[k + 1]
    if not WORD.match(first.text) or first.norm in FUNCTION_WORDS or adjective_stem(first.norm):
        return None
    last = toks[k + 2] if _two_word_name(toks, k) else first
    if label_type == "ORG" and not _is_org_name(first):
        return None
    if label_type == "LOC" and last is first and not _may_name_a_place(first.norm):
        return None
    if _dual_place_label(toks[k]) and is_common_word(first.norm) and first.norm not in gazetteer():
        return None  # "منطقتي الانفصال لوهانسك ودونيتسك": the two names come after a noun
    name = doc.text[first.start : last.end]
    return Mention(name, label_type, first.start, last.end, name, si, LABEL_SCORE, "label")


@cache
def _gazetteer_first_words() -> frozenset[str]:
    return frozenset(key.partition(" ")[0] for key in gazetteer())


def _gazetteer_name(doc: Document, si: int, k: int) -> Mention | None:
    """A gazetteer name of one or two words starting at word ``k``, with or without a clitic
    ("بواشنطن" → "واشنطن"; "واشنطن" keeps its و: the whole word is the name)."""
    gaz = gazetteer()
    toks = doc.sentences[si].tokens
    firsts = _gazetteer_first_words()
    if toks[k].norm.partition(" ")[0] not in firsts and toks[k].stem.partition(" ")[0] not in firsts:
        return None  # no gazetteer name begins with this word, with or without its clitic
    for n in GAZETTEER_LENGTHS:
        if k + n > len(toks):
            continue
        span = toks[k : k + n]
        if not all(WORD.match(t.text) for t in span):
            continue
        whole = " ".join(t.norm for t in span)
        typ = gaz.get(" ".join([span[0].stem, *[t.norm for t in span[1:]]])) or gaz.get(whole)
        if typ:
            start, name, canonical = after_clitic(doc, span, 0 if gaz.get(whole) else span[0].clitic_len)
            return Mention(name, typ, start, span[-1].end, canonical, si, GAZETTEER_SCORE, "gazetteer")
    return None


def label_mentions(doc: Document) -> list[Mention]:
    """Names after a place or organisation label, and gazetteer names."""
    out: list[Mention] = []
    firsts = _gazetteer_first_words()
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            label_type = _label_type(tok)
            if label_type and k + 1 < len(toks):
                m = _name_after_label(doc, si, k, label_type)
                if m is None:
                    continue  # a label before no name is not looked up in the gazetteer either
                out.append(m)
                if _dual_place_label(tok) and m.end == toks[k + 1].end:
                    second = _second_name(doc, si, k)
                    out += [second] if second is not None else []
            if tok.norm.partition(" ")[0] not in firsts and tok.stem.partition(" ")[0] not in firsts:
                continue  # _gazetteer_name's own first test, without a call for every token
            m = _gazetteer_name(doc, si, k)
            if m is not None:
                out.append(m)
    return out
