"""The types of a word's nearest labelled neighbours in vector space, an NER feature.

A name never seen in ANERcorp often has neighbours in Arabic Wikipedia's word vectors
(worker/training/clusters.py) that were seen there: an unseen party or ministry word stands near
seen organisation words, an unseen town near seen places. For each word with a vector, the
``k`` nearest words (cosine) that occur in the labelled sentences are looked up, the word itself
left out so that the feature speaks of its neighbours only (the gazetteer speaks of the word),
and their tag shares are averaged, weighted by similarity. The table says which tag leads and
how strongly, and how much of the neighbourhood is inside names; built from the training blocks
only, like the gazetteer (training.ner.jackknife_features).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from worker.stages.ner.features import fold

TAGS = ("O", "PERS", "LOC", "ORG", "MISC")


def tag_shares(sentences: Iterable[tuple[Sequence[str], Sequence[str]]]) -> dict[str, list[float]]:
    """Folded word → the share of each of TAGS among its uses in ``sentences``."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for toks, tags in sentences:
        for tok, tag in zip(toks, tags, strict=True):
            counts[fold(tok)][tag[2:] if tag != "O" else "O"] += 1
    out = {}
    for w, c in counts.items():
        n = sum(c.values())
        out[w] = [c[t] / n for t in TAGS]
    return out


def _bucket(share: float) -> int:
    """A share in tenths up to a half (names are a minority of most neighbourhoods)."""
    return min(5, int(share * 10))


def neighbour_types(
    vocab: Sequence[str],
    vec,
    shares: dict[str, list[float]],
    words: Iterable[str] | None = None,
    k: int = 10,
    chunk: int = 2048,
) -> dict[str, str]:
    """Word → ``"TAG share entity-share"`` (shares in fifths, 0–4) for ``words`` (default: every
    word of ``vocab``) that have a vector: the leading tag among its ``k`` nearest labelled words,
    its share and the share of all name tags."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one summation order: the same table on every machine
        return _neighbour_types(np, vocab, vec, shares, words, k, chunk)


def _neighbour_types(np, vocab, vec, shares, words, k, chunk) -> dict[str, str]:
    index = {w: i for i, w in enumerate(vocab)}
    labelled = sorted((w for w in shares if w in index), key=index.get)
    if not labelled:
        return {}
    lab_rows = np.array([index[w] for w in labelled])
    lab_vec = np.ascontiguousarray(vec[lab_rows], dtype=np.float32)
    lab_share = np.array([shares[w] for w in labelled], dtype=np.float64)
    wanted = vocab if words is None else sorted({w for w in words if w in index}, key=index.get)
    rows = np.array([index[w] for w in wanted], dtype=np.int64)
    kk = min(k, len(labelled) - 1)
    if kk < 1:
        return {}
    out: dict[str, str] = {}
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        sim = np.asarray(vec[part], dtype=np.float32) @ lab_vec.T
        # the word itself is no neighbour of its own
        sim[lab_rows[None, :] == part[:, None]] = -np.inf
        top = np.argpartition(-sim, kk, axis=1)[:, :kk]
        top_sim = np.take_along_axis(sim, top, axis=1).astype(np.float64)
        weight = np.clip(top_sim, 0, None)
        total = weight.sum(axis=1, keepdims=True)
        weight = np.where(total > 0, weight / np.where(total > 0, total, 1), 1 / kk)
        mix = np.einsum("rk,rkt->rt", weight, lab_share[top])
        # the leading name type: O leads almost everywhere and says nothing by itself
        lead = mix[:, 1:].argmax(axis=1) + 1
        for r, row in enumerate(part):
            m = mix[r]
            if _bucket(1 - m[0]):
                out[vocab[row]] = f"{TAGS[lead[r]]} {_bucket(m[lead[r]])} {_bucket(1 - m[0])}"
    return out
