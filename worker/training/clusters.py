"""Word clusters from unlabelled Arabic text, for the NER features (``khabar build-ner-clusters``).

Most of the tagger's misses are names never seen in ANERcorp. A word's cluster says which words
behave like it in a large corpus (Arabic Wikipedia, ../shared/data/arwiki/), so an unseen
organisation word can share a feature with seen ones. The clusters are built from distributional
vectors, not by Brown's bigram merging (the pure-Python implementations take hours on 8 million
words; this takes minutes):

1. The corpus is folded with the one normaliser and split into words the way ANERcorp is (clitics
   stay attached, punctuation goes).
2. Each word seen at least ``min_count`` times gets a vector of its neighbours: how often each of
   the ``contexts`` commonest words stands one or two places to its left or to its right (four
   separate positions: word order says more about a word's class than a bag of words).
3. Positive pointwise mutual information (contexts smoothed with exponent 0.75), reduced to
   ``dims`` dimensions by a seeded randomised SVD, rows scaled to unit length.
4. k-means (seeded) into ``k`` fine clusters on the ``fit_words`` commonest words, every word then
   assigned to its nearest centre; the centres are joined by Ward's method into the coarser
   levels, so a word's clusters nest like the prefixes of a Brown path.

Everything runs on one thread with fixed seeds: the same corpus and settings give the same file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from worker.lang.ar.normalise import normalise

# Words as ANERcorp splits them: runs of letters and digits (clitics attached), punctuation apart.
_WORD = re.compile(r"\w+")
DEFAULT_LEVELS = (64, 256, 1024)


def corpus_lines(path: str | os.PathLike) -> Iterator[list[str]]:
    """The folded words of each line of a (gzipped or plain) text file."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            words = _WORD.findall(normalise(line))
            if words:
                yield words


def _single_thread() -> None:
    # BLAS and OpenMP reductions in another order give other low bits, and k-means could then end
    # in another assignment: one thread keeps the output byte for byte the same.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def build_clusters(
    lines: Iterable[Sequence[str]],
    min_count: int = 5,
    contexts: int = 3000,
    dims: int = 100,
    levels: Sequence[int] = DEFAULT_LEVELS,
    fit_words: int = 60000,
    seed: int = 0,
    echo=print,
) -> dict[str, tuple[int, ...]]:
    """word → its cluster at each of ``levels`` (coarsest first), for words seen ``min_count``
    times or more."""
    vocab, vec = word_vectors(lines, min_count, contexts, dims, seed, echo)
    return cluster_vectors(vocab, vec, levels, fit_words, seed, echo)


def word_vectors(
    lines: Iterable[Sequence[str]],
    min_count: int = 5,
    contexts: int = 3000,
    dims: int = 100,
    seed: int = 0,
    echo=print,
    window: int = 0,
    skip: int = 0,
):
    """The words seen ``min_count`` times or more (commonest first) and their unit-length vectors
    (steps 1–3 above), as a list and a float64 array with a row per word.

    With ``window`` > 0 the contexts are instead the words up to ``window`` places away on either
    side, position-free, leaving out the ``skip`` commonest (function words): what a text is
    about rather than how the word is used, so a party stands near politics words and not near
    every noun with the article (``khabar build-ner-vectors``)."""
    _single_thread()
    import numpy as np
    from scipy import sparse
    from sklearn.utils.extmath import randomized_svd
    from threadpoolctl import threadpool_limits

    # Each line as an array of word numbers (the corpus as strings would take gigabytes).
    number: dict[str, int] = {}
    docs = [np.array([number.setdefault(w, len(number)) for w in ws], dtype=np.int64) for ws in lines]
    words = sorted(number, key=number.get)
    freq = np.bincount(np.concatenate(docs), minlength=len(words))
    counts = dict(zip(words, freq.tolist(), strict=True))
    # Frequency order, ties by the word: the vocabulary's order does not depend on the corpus's.
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    echo(f"{int(freq.sum()):,} words, {len(words):,} distinct, {len(vocab):,} seen ≥ {min_count} times")
    remap = np.full(len(words), -1, dtype=np.int64)
    remap[[number[w] for w in vocab]] = np.arange(len(vocab))
    n_ctx = min(contexts, len(vocab))
    if window:
        offsets = [o for o in range(-window, window + 1) if o]
        blocks = [0] * len(offsets)
    else:
        offsets = [-2, -1, 1, 2]
        blocks = list(range(4))
    rows, cols = [], []
    for line in docs:
        ids = remap[line]
        for pos, off in zip(blocks, offsets, strict=True):
            if off < 0:
                a, b = ids[-off:], ids[:off]
            else:
                a, b = ids[:-off], ids[off:]
            keep = (a >= 0) & (b >= skip) & (b < n_ctx)
            rows.append(a[keep])
            cols.append(b[keep] + pos * n_ctx)
    del docs
    r, c = np.concatenate(rows), np.concatenate(cols)
    shape = (len(vocab), (max(blocks) + 1) * n_ctx)
    m = sparse.coo_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=shape).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col_sum = np.asarray(m.sum(axis=0)).ravel() ** 0.75
    col_p = col_sum / col_sum.sum()
    coo = m.tocoo()
    pmi = np.log((coo.data / total) / ((row_sum[coo.row] / total) * col_p[coo.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=m.shape)
    echo(f"co-occurrence matrix {ppmi.shape[0]:,} × {ppmi.shape[1]:,}, {ppmi.nnz:,} positive cells")
    with threadpool_limits(1):
        u, s, _ = randomized_svd(ppmi, dims, n_iter=5, random_state=seed)
        vec = u * np.sqrt(s)
        norms = np.linalg.norm(vec, axis=1, keepdims=True)
        vec = vec / np.where(norms > 0, norms, 1)
    return vocab, vec


def cluster_vectors(
    vocab: Sequence[str],
    vec,
    levels: Sequence[int] = DEFAULT_LEVELS,
    fit_words: int = 60000,
    seed: int = 0,
    echo=print,
) -> dict[str, tuple[int, ...]]:
    """Step 4 above: word → its cluster at each of ``levels``, coarsest first."""
    _single_thread()
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        fine = max(levels)
        fit = vec[: min(fit_words, len(vocab))]
        km = KMeans(n_clusters=fine, n_init=1, max_iter=100, random_state=seed).fit(fit)
        label = km.predict(vec)
        tree = linkage(km.cluster_centers_, method="ward")
    per_level = []
    for k in sorted(levels):
        if k == fine:
            per_level.append(label)
        else:
            # fcluster numbers clusters from 1; the map from fine to coarse keeps the nesting.
            coarse = fcluster(tree, k, criterion="maxclust") - 1
            per_level.append(coarse[label])
    echo(f"clustered into {', '.join(str(k) for k in sorted(levels))} clusters")
    return {w: tuple(int(lv[i]) for lv in per_level) for i, w in enumerate(vocab)}


def write_clusters(path: str | os.PathLike, clusters: dict[str, tuple[int, ...]]) -> str:
    """Write ``word<TAB>c1 c2 …`` lines, gzipped, byte-identical for the same clusters; returns the
    file's sha256."""
    text = "".join(f"{w}\t{' '.join(map(str, c))}\n" for w, c in sorted(clusters.items()))
    # No name and no time in the gzip header: the bytes depend on the clusters only.
    with (
        open(path, "wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz,
    ):
        gz.write(text.encode("utf-8"))
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_vectors(path: str | os.PathLike, vocab: Sequence[str], vec) -> str:
    """The word vectors for ``khabar train-ner --vectors`` (not shipped: training reads them to
    find each word's nearest labelled words): the number of words, the words a line each, then
    the float32 array as .npy. Byte-identical for the same vectors; returns the sha256."""
    import numpy as np

    with open(path, "wb") as fh:
        fh.write(f"{len(vocab)}\n".encode())
        fh.write("".join(w + "\n" for w in vocab).encode("utf-8"))
        np.save(fh, np.ascontiguousarray(vec, dtype=np.float32))
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_vectors(path: str | os.PathLike):
    """The words and vectors written by write_vectors."""
    import numpy as np

    with open(path, "rb") as fh:
        try:
            n = int(fh.readline())
            vocab = [fh.readline().decode("utf-8").rstrip("\n") for _ in range(n)]
            vec = np.load(fh)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not a vectors file of `khabar build-ner-vectors`") from exc
    if vec.shape[0] != n:
        raise ValueError(f"{path}: {n} words but {vec.shape[0]} vectors")
    return vocab, vec
