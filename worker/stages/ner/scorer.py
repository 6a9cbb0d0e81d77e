"""The label scores of a document's tokens under the shipped CRF, without feature strings.

A token's features (``FeatureExtractor.sentence``) are the word's own, those its neighbours give
it as ``w-1=`` … ``s+3=`` (each read off one neighbour), the word-pair features (each read off two
adjacent words) and the outside name list's (read off the sentence). A CRF scores a token by
summing its features' weight rows (crf.py), so everything one word gives is summed once per
distinct word: a (7, labels) matrix, row ``3 + d`` going to the token ``d`` places after it (its
own features in row 3). A document's scores are then seven shifted sums of its words' matrices,
plus the few pair and name-list features the model has a weight for, with the work in numpy.

The sums are the same as CRFsuite's up to the order of additions (a few units in the last place),
which tests/test_ner_crf.py and scripts/check-ner-scorer compare against pycrfsuite.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from itertools import compress

import numpy as np

from worker.stages.ner.crf import Crf
from worker.stages.ner.features import FeatureExtractor, _listed_names, _Word

# Distinct words kept: a few hundred news articles' vocabulary (about 700 bytes a word). A word
# computed again costs about as much as a hundred found here.
VIEW_CACHE_SIZE = 1 << 16
# a word's features by the token they go to, relative to the word: row SPAN + d for d places after
SPAN = 3
# A view (what one word gives): these fields, as a plain tuple of strings and an array, which the
# cyclic collector stops tracking (the views live as long as the process).
_W, _S, _FIRSTS, _MATRIX = range(4)
# the pair features, by the row (of four) of the tokens around the pair's first word they go to:
# p - 1, p, p + 1, p + 2 (w-1w={a}|{b} is a feature of b's token, at p + 1)
W_PAIRS = (("ww+1=", 1), ("w-1w=", 2))
S_PAIRS = (("s+1s+2=", 0), ("ss+1=", 1), ("s-1s=", 2), ("s-2s-1=", 3))


def _pairs(crf: Crf, kinds: Sequence[tuple[str, int]]) -> tuple[dict[tuple[str, str], int], np.ndarray]:
    """(a, b) → a row id of the table of (4, labels) scores the pair gives the tokens around it,
    for the pairs with a weight. A feature is split at every "|" (a word may hold one), so a pair
    is found exactly when its string is a known feature. Id 0 is no pair (ids are truthy)."""
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for prefix, row in kinds:
        for f, a in crf.attributes.items():
            if not f.startswith(prefix):
                continue
            rest = f[len(prefix) :]
            at = rest.find("|")
            while at >= 0:
                found.setdefault((rest[:at], rest[at + 1 :]), []).append((row, a))
                at = rest.find("|", at + 1)
    table = np.zeros((len(found) + 1, 4, len(crf.labels)))
    ids = {}
    for k, (pair, rows) in enumerate(found.items(), start=1):
        ids[pair] = k
        for row, a in rows:
            table[k, row] += crf.state[a]
    return ids, table


class Scorer:
    """Label scores, tags and marginals of documents for one CRF and one feature extractor."""

    def __init__(self, extractor: FeatureExtractor, crf: Crf, cache_size: int = VIEW_CACHE_SIZE):
        self.x = extractor
        self.crf = crf
        self._rows = crf.attributes
        self._n_labels = len(crf.labels)
        self._w_pairs, self._w_table = _pairs(crf, W_PAIRS)
        self._s_pairs, self._s_table = _pairs(crf, S_PAIRS)
        # the name list's two features of a token by its BIO tag ("nl=B-LOC" and "nl=LOC")
        self._listed: dict[str, np.ndarray] = {}
        lex = extractor.lex
        self._names, self._clusters, self._name_list = (
            bool(lex.names),
            bool(lex.clusters),
            bool(lex.name_list),
        )
        self._view = functools.lru_cache(maxsize=cache_size)(self._compute_view)
        gaz = extractor.gaz
        self._start = self._pad("<s>", gaz.get("<s>"), 1)
        self._end = self._pad("</s>", gaz.get("</s>"), -1)

    def _matrix(self, by_offset: Sequence[tuple[int, Sequence[str]]]) -> np.ndarray:
        rows, offsets = [], []
        get = self._rows.get
        for d, features in by_offset:
            for f in features:
                r = get(f)
                if r is not None:
                    rows.append(r)
                    offsets.append(SPAN + d)
        out = np.zeros((2 * SPAN + 1, self._n_labels))
        if rows:
            np.add.at(out, offsets, self.crf.state[rows])
        return out

    @staticmethod
    def _sides(w: str, s: str, z: str, g: str | None, sign: int) -> list[tuple[int, list[str]]]:
        """What a word (or pad) gives the tokens after it (``sign`` 1) or before it (-1)."""
        a = "-" if sign > 0 else "+"  # the token after a word reads it as its "w-1=" …
        near = [f"w{a}1={w}", f"s{a}1={s}", f"z{a}1={z}"]
        if g:
            near.append(f"g{a}1={g}")
        return [(sign, near), (2 * sign, [f"w{a}2={w}"]), (3 * sign, [f"s{a}3={s}"])]

    def _pad(self, pad: str, g: str | None, sign: int) -> tuple:
        """The padding before (``sign`` 1) or after a sentence, as the neighbour it is to the first
        or last three tokens (no cluster or name-part features: those are only read off words)."""
        return (pad, pad, (), self._matrix(self._sides(pad, pad, pad, g, sign)))

    def _compute_view(self, token: str) -> tuple:
        x: _Word = self.x._compute_word(token)
        own = [*x.own, "zw=" + x.zw, "zs=" + x.zs, *x.morph]
        if self._names:
            own += x.name_parts
        own += x.listed_part
        own += x.near
        if self._clusters:
            own += x.cluster_own
        if x.gaz:
            own.append("g=" + x.gaz)
        parts = [(0, own), *self._sides(x.w, x.s, x.zw, x.gaz, 1), *self._sides(x.w, x.s, x.zw, x.gaz, -1)]
        if self._names and x.is_name_part:
            parts += [(1, ["pn-1"]), (-1, ["pn+1"])]
        if self._clusters:
            parts += [(1, ["k-1=" + x.cluster_mid]), (-1, ["k+1=" + x.cluster_mid])]
        return (x.w, x.s, x.name_firsts, self._matrix(parts))

    def stems(self, tokens: Sequence[str]) -> list[str]:
        view = self._view
        return [view(t)[_S] for t in tokens]

    def _listed_score(self, tag: str) -> np.ndarray:
        v = self._listed.get(tag)
        if v is None:
            rows = [self._rows[f] for f in ("nl=" + tag, "nl=" + tag[2:]) if f in self._rows]
            v = self._listed[tag] = self.crf.state[rows].sum(0)
        return v

    def document(self, sentences: Sequence[Sequence[str]]) -> Scores:
        """The label scores of every token of the document's sentences."""
        view = self._view
        start, end = self._start, self._end
        pads = SPAN
        seq: list[tuple] = []
        where: list[int] = []  # each non-empty sentence's first token in ``seq``
        lengths: list[int] = []
        listed: list[tuple[int, list[str | None]]] = []
        for toks in sentences:
            if not toks:
                lengths.append(0)
                where.append(0)
                continue
            views = list(map(view, toks))
            seq += [start] * pads
            where.append(len(seq))
            lengths.append(len(views))
            if self._name_list:
                firsts = [v[_FIRSTS] for v in views]
                if any(firsts):
                    listed.append((len(seq), _listed_names([v[_W] for v in views], firsts, self.x.lex)))
            seq += views
            seq += [end] * pads
        n = len(seq)
        if not n:
            return Scores(self.crf, np.zeros((0, 0, self._n_labels)), [], lengths, [[] for _ in sentences])
        w, s, _, mats = zip(*seq, strict=True)
        m = np.stack(mats)  # (n, 7, labels)
        e = m[:, SPAN].copy()
        for d in range(1, SPAN + 1):
            e[d:] += m[:-d, SPAN + d]
            e[:-d] += m[d:, SPAN - d]
        pairs = np.zeros((n, 4, self._n_labels))
        for ids, table, col in ((self._w_pairs, self._w_table, w), (self._s_pairs, self._s_table, s)):
            hits = list(map(ids.get, zip(col, col[1:], strict=False)))
            at = list(compress(range(n - 1), hits))
            if at:
                pairs[at] += table[list(filter(None, hits))]
        e[:-1] += pairs[1:, 0]
        e += pairs[:, 1]
        e[1:] += pairs[:-1, 2]
        e[2:] += pairs[:-2, 3]
        for first, tags in listed:
            for i, tag in enumerate(tags):
                if tag:
                    e[first + i] += self._listed_score(tag)
        stems = [list(s[a : a + k]) for a, k in zip(where, lengths, strict=True)]
        # the sentences longest first, each left-aligned, as Crf.viterbi takes them
        order = sorted((k for k, size in enumerate(lengths) if size), key=lambda k: -lengths[k])
        width = lengths[order[0]]
        index = np.array([where[k] for k in order])[:, None] + np.arange(width)
        return Scores(self.crf, e[np.minimum(index, n - 1)], order, lengths, stems)


class Scores:
    """A document's label scores (``emissions``: its non-empty sentences, longest first)."""

    def __init__(
        self,
        crf: Crf,
        emissions: np.ndarray,
        order: list[int],
        lengths: list[int],
        stems: list[list[str]],
    ):
        self.crf = crf
        self.emissions = emissions
        self.order = order
        self.lengths = lengths
        self.stems = stems
        self._sorted_lengths = np.array([lengths[k] for k in order], dtype=np.intp)

    def tags(self) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in self.lengths]
        if self.order:
            labels = self.crf.labels
            best = self.crf.viterbi(self.emissions, self._sorted_lengths).tolist()
            for row, k in zip(best, self.order, strict=True):
                out[k] = [labels[j] for j in row[: self.lengths[k]]]
        return out

    def entity_marginals(self, tags: Sequence[Sequence[str]]) -> list[list[float | None]]:
        """The marginal of each token's tag inside an entity, None for "O" (a sentence without an
        entity needs no forward-backward pass)."""
        out: list[list[float | None]] = [[None] * len(t) for t in tags]
        rows = [r for r, k in enumerate(self.order) if tags[k].count("O") != len(tags[k])]
        if not rows:
            return out
        probs = self.crf.marginals(self.emissions[rows], self._sorted_lengths[rows])
        index = {label: j for j, label in enumerate(self.crf.labels)}
        for p, r in zip(probs, rows, strict=True):
            ts = tags[self.order[r]]
            got = p[np.arange(len(ts)), [index[t] for t in ts]].tolist()
            out[self.order[r]] = [None if t == "O" else v for t, v in zip(ts, got, strict=True)]
        return out
