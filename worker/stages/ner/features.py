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

import functools
from collections.abc import Mapping, Sequence
from itertools import compress
from typing import NamedTuple

from worker.lang.ar import ordered
from worker.lang.ar.normalise import normalise
from worker.stages.ner.lexicons import MAX_NAME_WORDS, Lexicons, zipf_bucket_of

_NO_LEXICONS = Lexicons()


def fold(word: str) -> str:
    """The normalised form of a word (worker.lang.ar.normalise); a word of marks only stays as it is."""
    return normalise(word) or word


# "والعراق" → "عراق": the sequences strip_folded takes off, longest first
ARTICLE_PROCLITICS = ordered("ner/article_proclitics")
# endings whose presence after a bare word in general text makes a feature each (_productivity)
PRODUCTIVITY_ENDINGS = ordered("ner/productivity_endings")
# the prefixes of the productivity features, in the order of _productivity's values
PRODUCTIVITY = ("art=", *(f"sf{e}=" for e in PRODUCTIVITY_ENDINGS))
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


# Distinct words whose word-only features are kept (about 2 kB each): a news day's vocabulary.
WORD_CACHE_SIZE = 16384


class WordFacts(NamedTuple):
    """The values a word's own features and its neighbours' are written from, computed once per
    distinct word: everything here depends on the word alone. The tagger's scorer reads the
    features' weights off these values without writing the feature strings (scorer.py)."""

    w: str  # folded
    s: str  # folded, article and conjunction stripped
    c: str | None  # the clitic reading ("ولبنان" → "لبنان")
    article: str | None  # the article (with its proclitic) s lost, for "al="
    productivity: tuple[str, ...] | None  # the values of the PRODUCTIVITY features
    zw: str  # frequency bucket of the word (also its neighbours' z-1 / z+1)
    zs: str
    zc: str | None  # of the clitic reading
    gc: str | None  # the training-data type of the clitic reading
    name_parts: tuple[str, ...]  # "pw", "ps", "pc": the word, stem or clitic reading is a name part
    is_name_part: bool  # for the neighbours' pn-1 / pn+1
    wn: str | None  # the Wikidata name part's frequency bucket
    clusters: tuple[str, ...] | None  # the word's clusters, coarsest first
    name_firsts: tuple[str, ...]  # its readings that start a name of the name list
    gaz: str | None  # the training-data type of the stem
    near: tuple[str, str, str] | None  # "nn=", "nn=" and "ne=" of its nearest labelled words
    tl: str | None = None  # how far its stem's letters read like a transliterated name (letters.py)


class _Word(NamedTuple):
    """What a word contributes to its own features and to its neighbours', as feature strings
    (FeatureExtractor). (A named tuple: a frozen dataclass of fourteen fields took a tenth of a
    new word's time to build.)"""

    w: str  # folded
    s: str  # folded, article and conjunction stripped
    own: tuple[str, ...]  # the word-only features that come first (form, affixes, shape, length)
    zw: str  # frequency bucket of the word (also its neighbours' z-1 / z+1)
    zs: str
    morph: tuple[str, ...]  # article, productivity, clitic-reading and letter features
    name_parts: tuple[str, ...]  # whether the word, stem or clitic reading is a known name part
    is_name_part: bool  # for the neighbours' pn-1 / pn+1
    listed_part: tuple[str, ...]  # the Wikidata name-part feature
    cluster_own: tuple[str, ...]  # the word's cluster features ("k=none" without one)
    cluster_mid: str  # its middle-level cluster, for the neighbours' k-1 / k+1
    name_firsts: tuple[str, ...]  # its readings that start a name of the name list
    gaz: str | None  # the training-data type of the stem
    near: tuple[str, ...]  # the tags of its nearest labelled words in vector space


def cluster_mid(clusters: tuple[str, ...] | None) -> str:
    """The middle-level cluster a word gives its neighbours ("k-1=", "k+1=")."""
    return clusters[len(clusters) // 2] if clusters else "none"


def _word_of(x: WordFacts) -> _Word:
    morph: list[str] = []
    if x.article is not None:
        morph.append("al=" + x.article)
    elif x.productivity is not None:
        morph += map(str.__add__, PRODUCTIVITY, x.productivity)
    if x.c:
        morph += ["c=" + x.c, "zc=" + x.zc]
        if x.gc:
            morph.append("gc=" + x.gc)
    if x.tl is not None:
        morph.append("tl=" + x.tl)
    c = x.clusters
    return _Word(
        w=x.w,
        s=x.s,
        own=_own_features(x.w, x.s),
        zw=x.zw,
        zs=x.zs,
        morph=tuple(morph),
        name_parts=x.name_parts,
        is_name_part=x.is_name_part,
        listed_part=("wn=" + x.wn,) if x.wn is not None else (),
        cluster_own=tuple(f"k{j}={v}" for j, v in enumerate(c)) if c else ("k=none",),
        cluster_mid=cluster_mid(c),
        name_firsts=x.name_firsts,
        gaz=x.gaz,
        near=("nn=" + x.near[0], "nn=" + x.near[1], "ne=" + x.near[2]) if x.near else (),
    )


class FeatureExtractor:
    """Features of sentences for one gazetteer and one set of lexicons. A token's features that
    depend on the word alone are computed once per distinct word (an LRU cache of
    ``cache_size`` words); those of its neighbours and of the sentence are put around them in
    the same order as ever, so the features (and the tags) are the same with or without the
    cache."""

    def __init__(
        self,
        gazetteer: Mapping[str, str] | None = None,
        lex: Lexicons | None = None,
        cache_size: int = WORD_CACHE_SIZE,
        neighbours: Mapping[str, str] | None = None,
    ):
        self.gaz = gazetteer or {}
        self.near = neighbours or {}
        self.lex = lex or _NO_LEXICONS
        self._word = functools.lru_cache(maxsize=cache_size)(self._compute_word)

    def facts(self, token: str, folded: str | None = None) -> WordFacts:
        """What the word's features are written from (not cached); ``folded``: ``fold(token)``,
        when the caller has it."""
        lex, gaz, freq = self.lex, self.gaz, self.lex.freq
        wi = fold(token) if folded is None else folded
        si = strip_folded(wi)
        ci = _clitic_reading(wi)
        # (a word without the article is its own stem: each look-up once)
        cw = freq.get(wi)
        zw = zipf_bucket_of(cw)
        zs = zw
        article = productivity = zc = gc = None
        if wi != si:
            article = wi[: len(wi) - len(si)]
            zs = zipf_bucket_of(freq.get(si))
        elif len(si) > 2:
            productivity = _productivity(si, freq, cw)
        if ci:
            zc = zipf_bucket_of(freq.get(ci))
            gc = gaz.get(ci) or None
        names = lex.names
        parts: tuple[str, ...] = ()
        is_name_part = False
        if names:
            pw = wi in names
            ps = pw if si == wi else si in names
            parts = tuple(x for x, hit in (("pw", pw), ("ps", ps), ("pc", ci and ci in names)) if hit)
            is_name_part = pw or ps
        wd = lex.wd_names
        # with the word's frequency: a rare listed word is a name, a common one seldom is
        wn = zw if wd and (wi in wd or si in wd or (ci and ci in wd)) else None
        c = None
        if lex.clusters:
            c = lex.clusters.get(wi) or lex.clusters.get(si) or (lex.clusters.get(ci) if ci else None)
        firsts = lex.name_firsts
        return WordFacts(
            wi,
            si,
            ci,
            article,
            productivity,
            zw,
            zs,
            zc,
            gc,
            parts,
            is_name_part,
            wn,
            c,
            tuple([f for f in _first_forms(wi) if f in firsts]),
            gaz.get(si),
            _near(self.near, wi, si, ci),
            lex.letters.bucket(si) if lex.letters else None,
        )

    def _compute_word(self, token: str) -> _Word:
        return _word_of(self.facts(token))

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """One list of string features per token."""
        words = [self._word(t) for t in tokens]
        w = [x.w for x in words]
        s = [x.s for x in words]
        lex, gaz = self.lex, self.gaz
        pad_w = ["<s>", "<s>", *w, "</s>", "</s>"]
        pad_s = ["<s>", "<s>", "<s>", *s, "</s>", "</s>", "</s>"]
        # the pads' gazetteer entries, as the lookups of the neighbours' stems always read them
        gaz_pad = [gaz.get("<s>")] * 3 + [x.gaz for x in words] + [gaz.get("</s>")] * 3
        listed = _listed_names(w, [x.name_firsts for x in words], lex) if lex.name_list else None
        n = len(tokens)
        out: list[list[str]] = []
        for i, x in enumerate(words):
            j, k = i + 2, i + 3
            f = [
                *x.own,
                "w-1=" + pad_w[j - 1],
                "w+1=" + pad_w[j + 1],
                "w-2=" + pad_w[j - 2],
                "w+2=" + pad_w[j + 2],
                "s-1=" + pad_s[k - 1],
                "s+1=" + pad_s[k + 1],
                "s-3=" + pad_s[k - 3],
                "s+3=" + pad_s[k + 3],
                "w-1w=" + pad_w[j - 1] + "|" + x.w,
                "ww+1=" + x.w + "|" + pad_w[j + 1],
                "s-1s=" + pad_s[k - 1] + "|" + x.s,
                "ss+1=" + x.s + "|" + pad_s[k + 1],
                "s-2s-1=" + pad_s[k - 2] + "|" + pad_s[k - 1],
                "s+1s+2=" + pad_s[k + 1] + "|" + pad_s[k + 2],
                "zw=" + x.zw,
                "zs=" + x.zs,
                "z-1=" + (words[i - 1].zw if i else "<s>"),
                "z+1=" + (words[i + 1].zw if i + 1 < n else "</s>"),
                *x.morph,
            ]
            if lex.names:
                f += x.name_parts
                if i and words[i - 1].is_name_part:
                    f.append("pn-1")
                if i + 1 < n and words[i + 1].is_name_part:
                    f.append("pn+1")
            f += x.listed_part
            f += x.near
            if lex.clusters:
                f += _cluster_features(words, i)
            if listed is not None and listed[i]:
                f += ["nl=" + listed[i], "nl=" + listed[i][2:]]
            for name, g in (("g=", x.gaz), ("g-1=", gaz_pad[k - 1]), ("g+1=", gaz_pad[k + 1])):
                if g:
                    f.append(name + g)
            out.append(f)
        return out


def sentence_features(
    tokens: Sequence[str], gazetteer: Mapping[str, str] | None = None, lex: Lexicons | None = None
) -> list[list[str]]:
    """One list of string features per token. ``gazetteer`` maps a folded, clitic-stripped word to
    the entity type it is mostly tagged with in the training data; ``lex`` holds the outside word
    lists (ner_lexicons.py). For many sentences, keep one FeatureExtractor: it computes each
    distinct word's features once."""
    return FeatureExtractor(gazetteer, lex, cache_size=0).sentence(tokens)


def _cluster_features(words: Sequence[_Word], i: int) -> list[str]:
    """The word's cluster at every level, and its neighbours' at the middle level."""
    f = list(words[i].cluster_own)
    if i:
        f.append("k-1=" + words[i - 1].cluster_mid)
    if i + 1 < len(words):
        f.append("k+1=" + words[i + 1].cluster_mid)
    return f


def _near(near: Mapping[str, str], wi: str, si: str, ci: str | None) -> tuple[str, str, str] | None:
    """The leading tag of the word's nearest labelled words (training/neighbours.py), it with its
    share, and the share of name tags, read off the word, its stem or its clitic reading."""
    if not near:
        return None
    v = near.get(wi) or near.get(si) or (near.get(ci) if ci else None)
    if not v:
        return None
    tag, share, names = v.split()
    return tag, f"{tag}:{share}", names


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


def _listed_names(
    w: Sequence[str], name_firsts: Sequence[tuple[str, ...]], lex: Lexicons
) -> list[str | None]:
    """BIO tags of the longest names of the outside name list found in the sentence (left to
    right), None elsewhere, from each word's folded form and its readings that start a name."""
    n = len(w)
    out: list[str | None] = [None] * n
    end = 0  # the words before it are inside a name found
    # only a word with a reading that starts a name can start one (most words have none)
    for i in compress(range(n), name_firsts):
        if i < end:
            continue
        for first in name_firsts[i]:
            hit = _longest_name(first, w, i, min(MAX_NAME_WORDS, n - i), lex)
            if hit:
                length, typ = hit
                out[i : i + length] = ["B-" + typ] + ["I-" + typ] * (length - 1)
                end = i + length
                break
    return out


def _longest_name(first: str, w: Sequence[str], i: int, most: int, lex: Lexicons) -> tuple[int, str] | None:
    """(length, type) of the longest name of the name list of at most ``most`` words that is
    ``first`` and the words after ``w[i]``; names are extended while they are the start of one."""
    hit = None
    name = first
    for length in range(1, most + 1):
        if length > 1:
            name += " " + w[i + length - 1]
        if name not in lex.name_prefixes:
            break
        typ = lex.name_list.get(name)
        if typ:
            hit = (length, typ)
    return hit


def _own_features(wi: str, si: str) -> tuple[str, ...]:
    """The word, its stem, affixes, shape and length."""
    return (
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
    )


def _clitic_reading(wi: str) -> str | None:
    """The word read with a one-letter proclitic split off ("ولبنان" → "لبنان"), if it may have one."""
    if len(wi) > 3 and wi[0] in ONE_LETTER_PROCLITICS:
        return strip_folded(wi[1:])
    return None


def _productivity(stem: str, freq: Mapping[str, int], bare: int | None) -> tuple[str, ...]:
    """How a bare word behaves in general text: common nouns also occur with the article and with
    possessive or plural endings; names mostly do not. The values of the PRODUCTIVITY features:
    the article's share, then "y" or "n" for each ending (``bare``: the stem's own frequency)."""
    with_article = freq.get("ال" + stem)
    if bare is None:
        art = "nobase"
    elif with_article is None:
        art = "never"
    else:
        art = str(max(-3, min(3, (bare - with_article) // 50)))
    return (art, *["y" if stem + e in freq else "n" for e in PRODUCTIVITY_ENDINGS])


def context_counts(stems: Sequence[str], tags: Sequence[str]) -> dict[str, dict[str, int]]:
    """stem → {type or "O": count} over one sentence's first-pass tags (document features)."""
    out: dict[str, dict[str, int]] = {}
    for st, tag in zip(stems, tags, strict=True):
        if len(st) > 1 and st[0].isalpha():
            d = out.setdefault(st, {})
            key = tag[2:] if tag != "O" else "O"
            d[key] = d.get(key, 0) + 1
    return out


@functools.lru_cache(maxsize=WORD_CACHE_SIZE)
def _stem_of(token: str) -> str:
    return strip_folded(fold(token))


def stems_of(tokens: Sequence[str]) -> list[str]:
    # per distinct word: the consistency pass asks for every token of every article
    return [_stem_of(t) for t in tokens]


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
