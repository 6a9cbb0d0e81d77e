"""A CRFsuite linear-chain CRF scored in numpy: its weights read once from the model file, its
Viterbi path and marginals computed for many sentences at a time.

Tagging through python-crfsuite costs a feature string per attribute of every token (built in
Python, copied, hashed and looked up by CRFsuite) and a call per sentence and per marginal. With
the weights in arrays, a token's label scores are sums of rows the caller can cache per word
(scorer.py), and the dynamic programmes run over all the sentences of a document at once, one
step per position. The arithmetic of Viterbi is CRFsuite's (crf1dc_viterbi: the best previous
label's score plus the transition, then the state score; the first of equal maxima wins), so
given the same state scores the path is the same; the marginals are its scaled forward-backward
(crf1dc_alpha_score, crf1dc_beta_score), equal to about 1e-15. pycrfsuite still trains the
models (worker/training/ner.py) and is the reference in tests/test_ner_crf.py.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pycrfsuite

# CRFsuite's model file (crf1d_model.c): a header of 4-byte fields, then the features chunk
# ("FEAT", its size, its count, and per feature: type, source, destination as uint32 and the weight
# as a float64, little-endian). Type 0 is a state feature (attribute → label), 1 a transition.
_HEADER = struct.Struct("<4sI4s9I")
_CHUNK = struct.Struct("<4sII")
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])


def _dictionary(model: bytes) -> tuple[list[str], list[str]]:
    """The model's labels and attributes in id order, from CRFsuite's text dump (its string
    databases are not worth parsing again here). The dump prints weights with six decimals only:
    those are read from the binary file."""
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    fd, path = tempfile.mkstemp(suffix=".txt")
    os.close(fd)
    try:
        tagger.dump(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
    finally:
        os.unlink(path)
        tagger.close()

    def block(name: str) -> list[str]:
        start = text.index(f"\n{name} = {{\n") + len(f"\n{name} = {{\n")
        end = text.index("\n}", start)
        rows = [line.split(": ", 1) for line in text[start:end].split("\n")] if end > start else []
        assert [int(k) for k, _ in rows] == list(range(len(rows))), name
        return [v for _, v in rows]

    return block("LABELS"), block("ATTRIBUTES")


@dataclass(frozen=True, eq=False)
class Crf:
    labels: tuple[str, ...]
    attributes: dict[str, int]  # attribute → its row of ``state`` (from 1)
    # (1 + attributes, labels): the weight of each attribute for each label, after a row of zeros
    # (row 0: what an attribute unknown to the model adds)
    state: np.ndarray
    trans: np.ndarray  # (labels, labels): the weight of label i followed by label j

    @classmethod
    def read(cls, model: bytes) -> Crf:
        magic, _, kind, version, _, n_labels, n_attrs, off_features, *_ = _HEADER.unpack_from(model)
        if magic != b"lCRF" or kind != b"FOMC":
            raise ValueError(f"not a CRFsuite linear-chain model: {magic!r} {kind!r} {version}")
        chunk, _, n_features = _CHUNK.unpack_from(model, off_features)
        if chunk != b"FEAT":
            raise ValueError(f"no features chunk at {off_features}: {chunk!r}")
        feats = np.frombuffer(model, _FEATURE, n_features, off_features + _CHUNK.size)
        labels, attributes = _dictionary(model)
        if len(labels) != n_labels or len(attributes) != n_attrs:
            raise ValueError("the model's dump and header disagree on its size")
        state = np.zeros((1 + n_attrs, n_labels))
        trans = np.zeros((n_labels, n_labels))
        s, t = feats[feats["type"] == 0], feats[feats["type"] == 1]
        # each (attribute, label) and (label, label) is one feature in CRFsuite's model
        state[1 + s["src"], s["dst"]] = s["weight"]
        trans[t["src"], t["dst"]] = t["weight"]
        return cls(tuple(labels), {a: k for k, a in enumerate(attributes, start=1)}, state, trans)

    def score(self, features: Sequence[str]) -> np.ndarray:
        """The label scores of one item of attributes (those unknown to the model add nothing)."""
        return self.state[[self.attributes.get(f, 0) for f in features]].sum(0)

    def viterbi(self, emissions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The best label ids of a batch of sentences: ``emissions`` (sentences, positions, labels)
        with ``lengths`` not increasing (a sentence is in the first ``k`` rows at every position
        it has), each left-aligned. Ids past a sentence's length are meaningless."""
        n_sent, width, n_labels = emissions.shape
        active = _active(lengths, width)
        trans = self.trans
        # (positions, labels, sentences): numpy's inner loops then run over the sentences
        state = np.ascontiguousarray(emissions.transpose(1, 2, 0))
        best = np.zeros_like(state)  # best[t, j, s]: the best path's score to label j at t
        best[0] = state[0]
        step = np.empty((n_labels, n_labels, n_sent))
        to_j = trans[:, :, None]
        for t in range(1, width):
            k = active[t]
            # crf1dc_viterbi: max over i of (best[t - 1, i] + trans[i, j]), then + state[t, j]
            s = step[:, :, :k]
            np.add(best[t - 1, :, None, :k], to_j, out=s)
            np.maximum.reduce(s, axis=0, out=best[t, :, :k])
            best[t, :, :k] += state[t, :, :k]
        sentences = np.arange(n_sent)
        last = best[lengths - 1, :, sentences].argmax(1)
        out = np.zeros((width, n_sent), dtype=np.intp)
        for t in range(width - 1, -1, -1):
            # sentences ending at t start from their best last label; longer ones follow the best
            # link to the label after: the same sums again, the first of equal maxima as
            # CRFsuite's strict "<"
            k0, k1 = active[t], active[t + 1] if t + 1 < width else 0
            if k0 > k1:
                out[t, k1:k0] = last[k1:k0]
            if k1:
                out[t, :k1] = (best[t, :, :k1] + trans[:, out[t + 1, :k1]]).argmax(0)
        return out.T

    def marginals(self, emissions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The marginal probability of each label at each position, for sentences laid out as for
        ``viterbi``: CRFsuite's forward-backward, scaled at every position."""
        n_sent, width, n_labels = emissions.shape
        active = _active(lengths, width)
        exp_state = np.exp(emissions.transpose(1, 2, 0))  # (positions, labels, sentences)
        exp_trans = np.exp(self.trans)
        exp_trans_t = np.ascontiguousarray(exp_trans.T)
        alpha = np.zeros_like(exp_state)
        beta = np.zeros_like(exp_state)
        total = np.ones((width, n_sent))  # 1 / CRFsuite's scale factor
        alpha[0] = exp_state[0]
        total[0] = alpha[0].sum(0)
        alpha[0] /= total[0]
        for t in range(1, width):
            k = active[t]
            a = alpha[t, :, :k]
            np.matmul(exp_trans_t, alpha[t - 1, :, :k], out=a)
            a *= exp_state[t, :, :k]
            np.add.reduce(a, axis=0, out=total[t, :k])
            a /= total[t, :k]
        row = np.empty((n_labels, n_sent))
        for t in range(width - 1, -1, -1):
            k0, k1 = active[t], active[t + 1] if t + 1 < width else 0
            if k0 > k1:
                beta[t, :, k1:k0] = 1.0 / total[t, k1:k0]
            if k1:
                r = row[:, :k1]
                np.multiply(beta[t + 1, :, :k1], exp_state[t + 1, :, :k1], out=r)
                b = beta[t, :, :k1]
                np.matmul(exp_trans, r, out=b)
                b /= total[t, :k1]
        return (alpha * beta * total[:, None, :]).transpose(2, 0, 1)


def _active(lengths: np.ndarray, width: int) -> list[int]:
    """How many sentences (lengths not increasing) have a position ``t``, for each ``t``."""
    if len(lengths) > 1 and np.any(np.diff(lengths) > 0):
        raise ValueError("sentences must come longest first")
    return (lengths[:, None] > np.arange(width)).sum(0).tolist()
