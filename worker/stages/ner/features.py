"""Token features for the shipped Arabic NER tagger (a linear-chain CRF, see model.py).

Pure and dependency-free so that training (worker/training/ner.py) and tagging compute exactly the
same features. Words are compared in a light normalised form (no diacritics or tatweel, alef/hamza
forms → ا, ى → ي, ة → ه: worker.lang.ar.normalise) and also with attached clitics peeled off, which is what lets the
model see "ولبنان" and "بلبنان" as "لبنان". Words never seen in training are judged by the outside
knowledge of lexicons.py: their frequency in general text, whether they take the article and
suffixes there (names seldom do), whether they are known name parts, their word cluster in
Arabic Wikipedia (which words behave like them), and whether they start a name of the outside
name list (places, clubs, people).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from worker.lang.ar import ordered
from worker.lang.ar.normalise import normalise
from worker.stages.ner.lexicons import MAX_NAME_WORDS, Lexicons

_NO_LEXICONS = Lexicons()


def fold(word: str) -> str:
    """The normalised form of a word (worker.lang.ar.normalise); a word of marks only stays as it is."""
    return normalise(word) or word


# "والعراق" → "عراق": the sequences strip_folded takes off, longest first
ARTICLE_PROCLITICS = ordered("ner/article_proclitics")
# letters that can be a one-letter proclitic read off for the "c=" feature ("ولبنان" → "لبنان")
ONE_LETTER_PROCLITICS = "وفبلك"


def strip_folded(w: str) -> str:
    """A cheap, context-free guess at the stem of a folded word, for features only: drops a
    conjunction/preposition + article ("والعراق" → "عراق", "للعراق" → "عراق") or a lone article."""
    if len(w) > 4 and w.startswith("لل"):
        return w[2:]
    for p in ARTICLE_PROCLITICS:
        if len(w) > len(p) + 1 and w.startswith(p):
            return w[len(p) :]
    return w


def shape(word: str) -> str:
    if not word:
        return "E"
    if word.isdigit():
        return "D"
    c = word[0]
    if c.isascii() and c.isalpha():
        return "L" if word.isalpha() else "Lx"
    if c.isalpha():
        return "A"
    if c.isdigit():
        return "Dx"
    return "P"


def sentence_features(
    tokens: Sequence[str], gazetteer: Mapping[str, str] | None = None, lex: Lexicons | None = None
) -> list[list[str]]:
    """One list of string features per token. ``gazetteer`` maps a folded, clitic-stripped word to
    the entity type it is mostly tagged with in the training data; ``lex`` holds the outside word
    lists (ner_lexicons.py)."""
    w = [fold(t) for t in tokens]
    s = [strip_folded(x) for x in w]
    gaz = gazetteer or {}
    lex = lex or _NO_LEXICONS
    ctx = _Context(
        w, s, ["<s>", "<s>", *w, "</s>", "</s>"], ["<s>", "<s>", "<s>", *s, "</s>", "</s>", "</s>"]
    )
    clus = _clusters_of(ctx, lex.clusters) if lex.clusters else None
    listed = _listed_names(w, lex) if lex.name_list else None
    out: list[list[str]] = []
    for i in range(len(tokens)):
        f = _word_features(ctx, i, lex.zipf_bucket)
        if w[i] != s[i]:
            f.append("al=" + w[i][: len(w[i]) - len(s[i])])
        elif len(s[i]) > 2:
            f.extend(_productivity(s[i], lex.freq))
        ci = _clitic_reading(w[i])
        if ci:
            f += ["c=" + ci, "zc=" + lex.zipf_bucket(ci)]
            if gaz.get(ci):
                f.append("gc=" + gaz[ci])
        if lex.names:
            f += _name_part_features(ctx, i, ci, lex.names)
        if lex.wd_names and (w[i] in lex.wd_names or s[i] in lex.wd_names or (ci and ci in lex.wd_names)):
            # with the word's frequency: a rare listed word is a name, a common one seldom is
            f.append("wn=" + lex.zipf_bucket(w[i]))
        if clus is not None:
            f += _cluster_features(clus, i)
        if listed is not None and listed[i]:
            f += ["nl=" + listed[i], "nl=" + listed[i][2:]]
        f += _gazetteer_features(ctx, i, gaz)
        out.append(f)
    return out


def _clusters_of(ctx: _Context, clusters: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...] | None]:
    """Each word's clusters, by the word, else its stem, else its clitic reading."""
    out = []
    for wi, si in zip(ctx.w, ctx.s, strict=True):
        c = clusters.get(wi) or clusters.get(si)
        if c is None:
            ci = _clitic_reading(wi)
            c = clusters.get(ci) if ci else None
        out.append(c)
    return out


def _cluster_features(clus: list[tuple[str, ...] | None], i: int) -> list[str]:
    """The word's cluster at every level, and its neighbours' at the middle level."""
    c = clus[i]
    f = [f"k{j}={x}" for j, x in enumerate(c)] if c else ["k=none"]
    for name, k in (("k-1=", i - 1), ("k+1=", i + 1)):
        if 0 <= k < len(clus):
            n = clus[k]
            f.append(name + (n[len(n) // 2] if n else "none"))
    return f


def _first_forms(wi: str) -> tuple[str, ...]:
    """How a name's first word may be written in a sentence: as is, after a one-letter proclitic,
    or after ل whose article lost its alef ("للعراق" → "العراق")."""
    forms = [wi]
    if len(wi) > 3 and wi[0] in ONE_LETTER_PROCLITICS:
        forms.append(wi[1:])
        rest = wi[1:]
        if len(rest) > 3 and rest[0] in ONE_LETTER_PROCLITICS and rest[0] not in "وف":
            forms.append(rest[1:])
    for f in list(forms):
        if f.startswith("لل") and len(f) > 4:
            forms.append("ا" + f[1:])
    return tuple(forms)


def _listed_names(w: Sequence[str], lex: Lexicons) -> list[str | None]:
    """BIO tags of the longest names of the outside name list found in the sentence (left to
    right), None elsewhere."""
    n = len(w)
    out: list[str | None] = [None] * n
    i = 0
    while i < n:
        hit = None
        for first in _first_forms(w[i]):
            if first not in lex.name_firsts:
                continue
            for length in range(min(MAX_NAME_WORDS, n - i), 0, -1):
                typ = lex.name_list.get(" ".join([first, *w[i + 1 : i + length]]))
                if typ:
                    hit = (length, typ)
                    break
            if hit:
                break
        if hit:
            length, typ = hit
            out[i : i + length] = ["B-" + typ] + ["I-" + typ] * (length - 1)
            i += length
        else:
            i += 1
    return out


@dataclass(frozen=True)
class _Context:
    """A sentence's folded words, their stems, and both padded for the neighbour windows."""

    w: list[str]
    s: list[str]
    pad_w: list[str]  # two pads each side
    pad_s: list[str]  # three pads each side


def _word_features(ctx: _Context, i: int, zipf) -> list[str]:
    """The word, its stem, affixes, shape, length, neighbours and their frequency buckets."""
    w, pad_w, pad_s = ctx.w, ctx.pad_w, ctx.pad_s
    wi, si, n = w[i], ctx.s[i], len(w)
    j, k = i + 2, i + 3
    return [
        "b",
        "w=" + wi,
        "s=" + si,
        "p1=" + wi[:1],
        "p2=" + wi[:2],
        "p3=" + wi[:3],
        "p4=" + wi[:4],
        "x1=" + wi[-1:],
        "x2=" + wi[-2:],
        "x3=" + wi[-3:],
        "x4=" + wi[-4:],
        "sx2=" + si[-2:],
        "sx3=" + si[-3:],
        "sp2=" + si[:2],
        "sp3=" + si[:3],
        "sh=" + shape(wi),
        "ln=" + str(min(len(si), 9)),
        "w-1=" + pad_w[j - 1],
        "w+1=" + pad_w[j + 1],
        "w-2=" + pad_w[j - 2],
        "w+2=" + pad_w[j + 2],
        "s-1=" + pad_s[k - 1],
        "s+1=" + pad_s[k + 1],
        "s-3=" + pad_s[k - 3],
        "s+3=" + pad_s[k + 3],
        "w-1w=" + pad_w[j - 1] + "|" + wi,
        "ww+1=" + wi + "|" + pad_w[j + 1],
        "s-1s=" + pad_s[k - 1] + "|" + si,
        "ss+1=" + si + "|" + pad_s[k + 1],
        "s-2s-1=" + pad_s[k - 2] + "|" + pad_s[k - 1],
        "s+1s+2=" + pad_s[k + 1] + "|" + pad_s[k + 2],
        "zw=" + zipf(wi),
        "zs=" + zipf(si),
        "z-1=" + (zipf(w[i - 1]) if i else "<s>"),
        "z+1=" + (zipf(w[i + 1]) if i + 1 < n else "</s>"),
    ]


def _clitic_reading(wi: str) -> str | None:
    """The word read with a one-letter proclitic split off ("ولبنان" → "لبنان"), if it may have one."""
    if len(wi) > 3 and wi[0] in ONE_LETTER_PROCLITICS:
        return strip_folded(wi[1:])
    return None


def _name_part_features(ctx: _Context, i: int, ci: str | None, names) -> list[str]:
    """Whether the word, its stem, its clitic reading or a neighbour is a known person-name part."""
    w, s, n = ctx.w, ctx.s, len(ctx.w)
    f = []
    if w[i] in names:
        f.append("pw")
    if s[i] in names:
        f.append("ps")
    if ci and ci in names:
        f.append("pc")
    if i and (w[i - 1] in names or s[i - 1] in names):
        f.append("pn-1")
    if i + 1 < n and (w[i + 1] in names or s[i + 1] in names):
        f.append("pn+1")
    return f


def _gazetteer_features(ctx: _Context, i: int, gaz: Mapping[str, str]) -> list[str]:
    """The training-data type of the stem and of its neighbours' stems."""
    k = i + 3
    f = []
    for name, key in (("g=", ctx.s[i]), ("g-1=", ctx.pad_s[k - 1]), ("g+1=", ctx.pad_s[k + 1])):
        g = gaz.get(key)
        if g:
            f.append(name + g)
    return f


def _productivity(stem: str, freq: Mapping[str, int]) -> list[str]:
    """How a bare word behaves in general text: common nouns also occur with the article and with
    possessive or plural endings; names mostly do not."""
    bare, with_article = freq.get(stem), freq.get("ال" + stem)
    if bare is None:
        art = "nobase"
    elif with_article is None:
        art = "never"
    else:
        art = str(max(-3, min(3, (bare - with_article) // 50)))
    return [
        "art=" + art,
        "sfها=" + ("y" if stem + "ها" in freq else "n"),
        "sfهم=" + ("y" if stem + "هم" in freq else "n"),
        "sfات=" + ("y" if stem + "ات" in freq else "n"),
    ]


def context_counts(stems: Sequence[str], tags: Sequence[str]) -> dict[str, dict[str, int]]:
    """stem → {type or "O": count} over one sentence's first-pass tags (document features)."""
    out: dict[str, dict[str, int]] = {}
    for st, tag in zip(stems, tags, strict=True):
        if len(st) > 1 and st[0].isalpha():
            d = out.setdefault(st, {})
            key = tag[2:] if tag != "O" else "O"
            d[key] = d.get(key, 0) + 1
    return out


def stems_of(tokens: Sequence[str]) -> list[str]:
    return [strip_folded(fold(t)) for t in tokens]


def document_features(
    stems: Sequence[str], own_tags: Sequence[str], window: Sequence[dict[str, dict[str, int]]]
) -> list[list[str]]:
    """Second-pass features of one sentence: its own first-pass tag and how the same stem was
    tagged elsewhere in the document (``window``: context_counts of the document's sentences,
    this one included; its own tag is subtracted)."""
    out = []
    for st, tag in zip(stems, own_tags, strict=True):
        f = ["p1=" + tag]
        if len(st) > 1 and st[0].isalpha():
            total: dict[str, int] = {}
            for counts in window:
                d = counts.get(st)
                if d:
                    for k, v in d.items():
                        total[k] = total.get(k, 0) + v
            own = tag[2:] if tag != "O" else "O"
            if own in total:
                total[own] -= 1
            ent = {k: v for k, v in total.items() if k != "O" and v > 0}
            if ent:
                best = max(ent, key=ent.get)
                f.append("dt=" + best)
                f.append("dt=" + best + ("+" if ent[best] > total.get("O", 0) else "-"))
            elif total.get("O"):
                f.append("dO")
        out.append(f)
    return out
