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

from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from itertools import chain, compress, repeat

import numpy as np

from worker.lang.ar.normalise import normalise_unremembered
from worker.stages.ner.crf import Crf
from worker.stages.ner.features import (
    PRODUCTIVITY,
    FeatureExtractor,
    WordFacts,
    _listed_names,
    cluster_mid,
    fold,
    shape,
)

# Distinct words kept: a few hundred news articles' vocabulary (about 600 bytes a word, most of
# them a slot of the table). A word computed again costs about as much as a hundred found here.
VIEW_CACHE_SIZE = 1 << 16
# Words whose views are computed with the model (NerModel gives the commonest of general text):
# over 300 SaudiNewsNet articles, 130 new words an article fall to 49 with the first 50,000 (81
# with 20,000), and a new word costs ~25 µs the first time a process sees it. They take slots of
# the table, at most three quarters of it (the LRU keeps the rest: ~50 new words an article, ~250
# articles a pool process), and ~0.7 s to compute at loading; a pool process forked after the
# model is loaded shares them. They cost ~15 MB of a worker's memory (the shared cluster tuples of
# lexicons.read_clusters saved more).
KNOWN_WORDS = 50_000
KNOWN_BATCH = 1_000
# a word's features by the token they go to, relative to the word: row SPAN + d for d places after
SPAN = 3
# A view (what one word gives): these fields, as a plain tuple of strings and an int, which the
# cyclic collector stops tracking (the views live as long as the process).
_W, _S, _FIRSTS, _SLOT = range(4)
# the pair features, by the row (of four) of the tokens around the pair's first word they go to:
# p - 1, p, p + 1, p + 2 (w-1w={a}|{b} is a feature of b's token, at p + 1)
W_PAIRS = (("ww+1=", 1), ("w-1w=", 2))
S_PAIRS = (("s+1s+2=", 0), ("ss+1=", 1), ("s-1s=", 2), ("s-2s-1=", 3))


def _by_prefix(crf: Crf) -> dict[str, list[tuple[str, int]]]:
    """The model's attributes by their prefix up to the first "=" (which every prefix of
    W_PAIRS, S_PAIRS and SIDES ends with): [(the rest, its row of weights)]."""
    out: dict[str, list[tuple[str, int]]] = {}
    for f, a in crf.attributes.items():
        head, sep, value = f.partition("=")
        if sep:
            out.setdefault(head + sep, []).append((value, a))
    return out


def _pairs(
    crf: Crf, by_prefix: dict[str, list[tuple[str, int]]], kinds: Sequence[tuple[str, int]]
) -> tuple[dict[tuple[str, str], int], np.ndarray]:
    """(a, b) → a row id of the table of (4, labels) scores the pair gives the tokens around it,
    for the pairs with a weight. A feature is split at every "|" (a word may hold one), so a pair
    is found exactly when its string is a known feature. Id 0 is no pair (ids are truthy)."""
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for prefix, row in kinds:
        for rest, a in by_prefix.get(prefix, ()):
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


# What a word gives its neighbours, by the feature's prefix: the offset of the token it goes to.
SIDES = {
    "w": {"w-1=": 1, "w+1=": -1, "w-2=": 2, "w+2=": -2},
    "s": {"s-1=": 1, "s+1=": -1, "s-3=": 3, "s+3=": -3},
    "z": {"z-1=": 1, "z+1=": -1},
    "g": {"g-1=": 1, "g+1=": -1},
    "k": {"k-1=": 1, "k+1=": -1},
}


def _sides(
    by_prefix: dict[str, list[tuple[str, int]]], offsets: dict[str, int]
) -> dict[str, tuple[list[int], list[int]]]:
    """Value → the features a word of that value gives the tokens around it, for the values with
    a weight: (the rows of the word's matrix they go to, their rows of weights)."""
    out: dict[str, tuple[list[int], list[int]]] = {}
    for prefix, d in offsets.items():
        for value, a in by_prefix.get(prefix, ()):
            to, rows = out.setdefault(value, ([], []))
            to.append(SPAN + d)
            rows.append(a)
    return out


# The prefixes of the features a word gives its own token (features._word_of, in that order).
OWN = (
    "w=", "s=", "p1=", "p2=", "p3=", "p4=", "x1=", "x2=", "x3=", "x4=", "sx2=", "sx3=", "sp2=",
    "sp3=", "sh=", "ln=", "zw=", "zs=", "al=", *PRODUCTIVITY, "c=", "zc=", "gc=", "wn=", "nn=", "ne=",
    "k=", "g=", "tl=",
)  # fmt: skip


def _own(crf: Crf, by_prefix: dict[str, list[tuple[str, int]]]) -> tuple:
    """For each prefix of OWN, value → the row of weights of the feature prefix + value (those with
    a weight); then the rows of the features without a value and those of each cluster level."""
    tables = tuple(dict(by_prefix.get(prefix, ())) for prefix in OWN)
    plain = {f: crf.attributes.get(f, 0) for f in ("b", "pw", "ps", "pc")}
    depth = 1 + max((int(p[1:-1]) for p in by_prefix if p[1:-1].isdigit() and p[0] == "k"), default=-1)
    levels = tuple(dict(by_prefix.get(f"k{j}=", ())) for j in range(depth))
    return tables, plain, levels


class Scorer:
    """Label scores, tags and marginals of documents for one CRF and one feature extractor.

    Each distinct word's (7, labels) matrix is a slot of one table, so a document's are gathered
    with one index; the least recently used word gives its slot up when the table is full. The
    ``known`` words (folded forms) are computed at once and keep their slots: a token whose folded
    form is one of them is not computed again."""

    def __init__(
        self,
        extractor: FeatureExtractor,
        crf: Crf,
        cache_size: int = VIEW_CACHE_SIZE,
        known: Iterable[str] = (),
    ):
        self.x = extractor
        self.crf = crf
        self._rows = crf.attributes
        self._state = crf.state
        n_labels = self._n_labels = len(crf.labels)
        by_prefix = _by_prefix(crf)
        tables, self._plain, self._levels = _own(crf, by_prefix)
        # (the productivity features' tables apart: how many there are is the word list's)
        at = OWN.index(PRODUCTIVITY[0])
        self._own_tables = tables[:at] + tables[at + len(PRODUCTIVITY) :]
        self._productivity = tables[at : at + len(PRODUCTIVITY)]
        self._w_pairs, self._w_table = _pairs(crf, by_prefix, W_PAIRS)
        self._s_pairs, self._s_table = _pairs(crf, by_prefix, S_PAIRS)
        self._w_side, self._s_side, self._z_side, self._g_side, self._k_side = (
            _sides(by_prefix, SIDES[k]) for k in "wszgk"
        )
        self._pn = ([], [])
        for f, d in (("pn-1", 1), ("pn+1", -1)):
            if f in self._rows:
                self._pn[0].append(SPAN + d)
                self._pn[1].append(self._rows[f])
        # the name list's two features of a token by its BIO tag ("nl=B-LOC" and "nl=LOC")
        self._listed: dict[str, np.ndarray] = {}
        lex = extractor.lex
        self._names, self._clusters, self._name_list = (
            bool(lex.names),
            bool(lex.clusters),
            bool(lex.name_list),
        )
        # the words' views (their forms and their slot in the table, see _compute_view), least
        # recently used first; slots 0 and 1 are the pads before and after a sentence, then the
        # known words' (a folded form's view is any of its spellings')
        self._views: OrderedDict[str, tuple] = OrderedDict()
        # (the known words' slots count in ``cache_size``: the table is no larger for them; they
        # are folded without remembering: they are no tokens)
        known = [w for w in dict.fromkeys(known) if (normalise_unremembered(w) or w) == w]
        known = known[: cache_size * 3 // 4]
        self._size = max(cache_size - len(known), 1)
        self._first_free = 2 + len(known)
        self._table = np.zeros((self._first_free + self._size, 2 * SPAN + 1, n_labels))
        self._free = list(range(len(self._table) - 1, self._first_free - 1, -1))
        gaz = extractor.gaz
        for slot, pad, sign in ((0, "<s>", 1), (1, "</s>", -1)):
            # a pad is a neighbour on one side only (and has no own features)
            to, rows = self._side_features(pad, pad, pad, gaz.get(pad), None)
            keep = [k for k, r in enumerate(to) if (r > SPAN if sign > 0 else r < SPAN)]
            self._write([slot], [len(keep)], [to[k] for k in keep], [rows[k] for k in keep])
        self._start = ("<s>", "<s>", (), 0)
        self._end = ("</s>", "</s>", (), 1)
        self._known: dict[str, tuple] = {}
        for at in range(0, len(known), KNOWN_BATCH):
            # written a batch at a time (all at once, the arrays of weights took 100 MB)
            to, rows, counts = [], [], []
            for slot, w in enumerate(known[at : at + KNOWN_BATCH], start=2 + at):
                self._known[w], n = self._compute_view(w, to, rows, slot, folded=w)
                counts.append(n)
            self._write(list(range(2 + at, 2 + at + len(counts))), counts, to, rows)

    def _side_features(self, w: str, s: str, z: str, g: str | None, k: str | None):
        """What a word gives its neighbours: (rows of its matrix, rows of weights)."""
        to: list[int] = []
        rows: list[int] = []
        for side, value in (
            (self._w_side, w),
            (self._s_side, s),
            (self._z_side, z),
            (self._g_side, g),
            (self._k_side, k),
        ):
            hit = side.get(value) if value else None
            if hit:
                to += hit[0]
                rows += hit[1]
        return to, rows

    def _write(self, slots: list[int], counts: list[int], to: list[int], rows: list[int]) -> None:
        """Sets the matrices of the words in ``slots`` (distinct) to the sums of the weights
        ``rows`` at their rows ``to``: the first ``counts[0]`` features are the first word's, and
        so on."""
        if not slots:
            return
        height = 2 * SPAN + 1
        size = len(slots) * height
        at = np.repeat(np.arange(0, size, height), counts) + np.asarray(to, dtype=np.intp)
        weights = self._state[rows].T  # (labels, features)
        # a sum per label (bincount adds in order; np.add.at is many times slower)
        sums = [np.bincount(at, weights=w, minlength=size) for w in weights]
        self._table[slots] = np.stack(sums, axis=1).reshape(len(slots), height, self._n_labels)

    def _own_rows(self, x: WordFacts) -> list[int]:
        """The rows of weights of the features the word gives its own token, in the order
        features._word_of writes them; those the model has no weight for are left out (they
        would add a row of zeros)."""
        (
            w, s, p1, p2, p3, p4, x1, x2, x3, x4, sx2, sx3, sp2, sp3, sh, ln, zw, zs,
            al, c, zc, gc, wn, nn, ne, k, g, tl,
        ) = self._own_tables  # fmt: skip
        wi, si = x.w, x.s
        plain = self._plain
        rows = [
            plain["b"],
            w.get(wi, 0),
            s.get(si, 0),
            p1.get(wi[:1], 0),
            p2.get(wi[:2], 0),
            p3.get(wi[:3], 0),
            p4.get(wi[:4], 0),
            x1.get(wi[-1:], 0),
            x2.get(wi[-2:], 0),
            x3.get(wi[-3:], 0),
            x4.get(wi[-4:], 0),
            sx2.get(si[-2:], 0),
            sx3.get(si[-3:], 0),
            sp2.get(si[:2], 0),
            sp3.get(si[:3], 0),
            sh.get(shape(wi), 0),
            ln.get(str(min(len(si), 9)), 0),
            zw.get(x.zw, 0),
            zs.get(x.zs, 0),
        ]
        if x.article is not None:
            rows.append(al.get(x.article, 0))
        elif x.productivity is not None:
            rows += [table.get(v, 0) for table, v in zip(self._productivity, x.productivity, strict=True)]
        if x.c:
            rows += (c.get(x.c, 0), zc.get(x.zc, 0))
            if x.gc:
                rows.append(gc.get(x.gc, 0))
        if x.tl is not None:
            rows.append(tl.get(x.tl, 0))
        if self._names:
            rows += map(plain.__getitem__, x.name_parts)
        if x.wn is not None:
            rows.append(wn.get(x.wn, 0))
        if x.near:
            rows += (nn.get(x.near[0], 0), nn.get(x.near[1], 0), ne.get(x.near[2], 0))
        if self._clusters:
            if x.clusters:
                # (levels the model has no weight for would add rows of zeros)
                rows += [level.get(v, 0) for level, v in zip(self._levels, x.clusters, strict=False)]
            else:
                rows.append(k.get("none", 0))
        if x.gaz:
            rows.append(g.get(x.gaz, 0))
        return list(filter(None, rows))

    def _compute_view(
        self, token: str, to: list[int], rows: list[int], slot: int | None = None, folded: str | None = None
    ) -> tuple:
        """A word's folded form, stem and name-list readings, and its slot of the table (a free
        one unless given); the rows of its matrix (row 3 its own features, the others what it
        gives its neighbours) and the weights summed there are appended to ``to`` and ``rows``,
        for _write."""
        x = self.x.facts(token, folded)
        own = self._own_rows(x)
        if slot is None:
            while not self._free:
                _, old = self._views.popitem(last=False)
                if old[_SLOT] >= self._first_free:  # a known word's is never given up
                    self._free.append(old[_SLOT])
            slot = self._free.pop()
        rows += own
        to += repeat(SPAN, len(own))
        side_to, side_rows = self._side_features(
            x.w, x.s, x.zw, x.gaz, cluster_mid(x.clusters) if self._clusters else None
        )
        if x.is_name_part:
            side_to += self._pn[0]
            side_rows += self._pn[1]
        to += side_to
        rows += side_rows
        return (x.w, x.s, x.name_firsts, slot), len(own) + len(side_to)

    def _views_of(self, tokens: list[str]) -> list[tuple]:
        """The views of a document's tokens, those of new words computed. The words already
        known become the most recently used before a new one takes the least recently used
        word's slot, so no word of the document gives its slot up."""
        views = self._views
        get = views.get
        out = list(map(get, tokens))
        deque(map(views.move_to_end, compress(tokens, out)), maxlen=0)
        if None in out:
            # the new words' matrices are written at once (numpy's cost is per call)
            slots: list[int] = []
            counts: list[int] = []
            to: list[int] = []
            rows: list[int] = []
            known = self._known
            for i in [i for i, v in enumerate(out) if v is None]:
                t = tokens[i]
                v = get(t)
                if v is None:
                    wi = fold(t)
                    v = known.get(wi)
                    if v is None:
                        v, n = self._compute_view(t, to, rows, folded=wi)
                        counts.append(n)
                        slots.append(v[_SLOT])
                    views[t] = v
                out[i] = v
            self._write(slots, counts, to, rows)
        return out

    def _listed_score(self, tag: str) -> np.ndarray:
        v = self._listed.get(tag)
        if v is None:
            v = self._listed[tag] = self.crf.score(("nl=" + tag, "nl=" + tag[2:]))
        return v

    def document(self, sentences: Sequence[Sequence[str]]) -> Scores:
        """The label scores of every token of the document's sentences."""
        total = sum(map(len, sentences))
        if total > self._size:
            # every word of the document keeps its slot until the document is scored
            more, n = total - self._size, len(self._table)
            self._table = np.concatenate([self._table, np.zeros((more, *self._table.shape[1:]))])
            self._free += range(n, n + more)
            self._size = total
        all_views = self._views_of(list(chain.from_iterable(sentences)))
        start, end = self._start, self._end
        pads = SPAN
        seq: list[tuple] = []
        where: list[int] = []  # each non-empty sentence's first token in ``seq``
        lengths: list[int] = []
        listed: list[tuple[int, list[str | None]]] = []
        at = 0
        for toks in sentences:
            if not toks:
                lengths.append(0)
                where.append(0)
                continue
            views = all_views[at : at + len(toks)]
            at += len(toks)
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
            return Scores(self.crf, np.zeros((0, self._n_labels)), where, lengths, [[] for _ in sentences])
        w, s, _, slots = zip(*seq, strict=True)
        m = self._table[list(slots)]  # (n, 7, labels)
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
            for i in compress(range(len(tags)), tags):
                e[first + i] += self._listed_score(tags[i])
        stems = [list(s[a : a + k]) for a, k in zip(where, lengths, strict=True)]
        return Scores(self.crf, e, where, lengths, stems)


# Sentences scored together (at most): a batch is as wide as its longest sentence, so a long
# document (a whole test set) goes in batches of sentences of similar length.
BATCH = 128


class Scores:
    """A document's label scores: ``scores`` (a row per position of the sentences with their
    pads), sentence ``k`` from row ``where[k]``, ``lengths[k]`` long."""

    def __init__(
        self, crf: Crf, scores: np.ndarray, where: list[int], lengths: list[int], stems: list[list[str]]
    ):
        self.crf = crf
        self.scores = scores
        self.where = where
        self.lengths = lengths
        self.stems = stems
        # the non-empty sentences longest first, as Crf.viterbi takes them
        self.order = sorted((k for k, size in enumerate(lengths) if size), key=lambda k: -lengths[k])

    def sentence(self, k: int) -> np.ndarray:
        """The label scores of sentence ``k``'s tokens."""
        return self.scores[self.where[k] : self.where[k] + self.lengths[k]]

    def _batches(self, sentences: list[int]):
        """(sentences, their emissions left-aligned, their lengths) in batches, for sentences
        longest first."""
        for b in range(0, len(sentences), BATCH):
            batch = sentences[b : b + BATCH]
            lengths = np.array([self.lengths[k] for k in batch], dtype=np.intp)
            index = np.array([self.where[k] for k in batch])[:, None] + np.arange(lengths[0])
            yield batch, self.scores[np.minimum(index, len(self.scores) - 1)], lengths

    def tags(self) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in self.lengths]
        labels = self.crf.labels
        for batch, emissions, lengths in self._batches(self.order):
            best = self.crf.viterbi(emissions, lengths).tolist()
            for row, k in zip(best, batch, strict=True):
                out[k] = [labels[j] for j in row[: self.lengths[k]]]
        return out

    def entity_marginals(self, tags: Sequence[Sequence[str]]) -> list[list[float | None]]:
        """The marginal of each token's tag inside an entity, None for "O" (a sentence without an
        entity needs no forward-backward pass)."""
        out: list[list[float | None]] = [[None] * len(t) for t in tags]
        index = {label: j for j, label in enumerate(self.crf.labels)}
        with_entities = [k for k in self.order if tags[k].count("O") != len(tags[k])]
        for batch, emissions, lengths in self._batches(with_entities):
            probs = self.crf.marginals(emissions, lengths)
            for p, k in zip(probs, batch, strict=True):
                ts = tags[k]
                got = p[np.arange(len(ts)), [index[t] for t in ts]].tolist()
                out[k] = [None if t == "O" else v for t, v in zip(ts, got, strict=True)]
        return out
