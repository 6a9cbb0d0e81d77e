"""MinHash signatures of articles for near-duplicate detection (pure: no database).

An article is the set of its word shingles (``SHINGLE`` consecutive normalised words, punctuation
and digits' script folded by ``normalise``), so a re-published wire with another headline, a
dateline or a trimmed last paragraph keeps most of its shingles. The signature is split into
``BANDS`` bands of ``ROWS`` values: two articles whose Jaccard similarity is s share at least one
band with probability 1 - (1 - s^ROWS)^BANDS (≈ 0.98 at s = 0.25, ≈ 0.93 at s = 0.2, ≈ 0.006 at
s = 0.01): low, because a short copy inside a long article (a trimmed wire, containment 0.9) has a
Jaccard similarity near 0.25. Candidates are first compared on their signatures, and only the
likely ones on their texts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

from worker.lang.ar import ordered
from worker.lang.ar.morphology import comparison_stem
from worker.lang.ar.normalise import normalise

SHINGLE = 3
NUM_PERM = 128
BANDS = 64
ROWS = NUM_PERM // BANDS
SEED = 1
# An article shorter than this many words is not compared: two short notices («توفي فلان») share
# most of their few shingles without being one text.
MIN_WORDS = 12

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    return shingles_of(words(text), size)


def shingles_of(w: Sequence[str], size: int = SHINGLE) -> set[str]:
    """The shingles of a text given as its words (``words``)."""
    if len(w) < size:
        return {" ".join(w)} if w else set()
    # the n-grams as tuples of shifted views, joined by map: a third faster than slicing per index
    return set(map(" ".join, zip(*(w[i:] for i in range(size)), strict=False)))


# A shared passage is this many consecutive shared shingles (five words), not a stray phrase that
# every report of the day shares («صاحب السمو الملكي الأمير»).
PASSAGE_RUN = 3


def lead_offset(body_words: Sequence[str], other: frozenset[str] | set[str], size: int = SHINGLE) -> int:
    """Where in a body (its words) the first passage shared with ``other`` (a shingle set) begins,
    in words; the body's length when there is none. A trimmed reprint shares the longer article's
    opening; a roundup holds the shorter article somewhere after an opening of its own."""
    run = 0
    for i in range(len(body_words) - size + 1):
        if " ".join(body_words[i : i + size]) in other:
            run += 1
            if run == PASSAGE_RUN:
                return i - PASSAGE_RUN + 1
        else:
            run = 0
    return len(body_words)


def tail_offset(body_words: Sequence[str], other: frozenset[str] | set[str], size: int = SHINGLE) -> int:
    """Where in a body (its words) the last passage shared with ``other`` ends (exclusive), in
    words; 0 when there is none: ``lead_offset`` from the other end."""
    run = 0
    for i in range(len(body_words) - size, -1, -1):
        if " ".join(body_words[i : i + size]) in other:
            run += 1
            if run == PASSAGE_RUN:
                return i + PASSAGE_RUN - 1 + size
        else:
            run = 0
    return 0


# --- turns to another item (copy_rule's ``turned`` signal) ------------------------------------------
#
# A news digest, or a report that prints a release whole and then adds news of its own, opens the
# added item with a connective that says the topic changes (worker/lang/ar/common/topic_turns.tsv:
# «من جهة أخرى», «في غضون ذلك», «إلى ذلك»). A reprint trimmed at its end stops where the release
# stops and never turns. Only a paragraph or sentence that opens with one counts: inside a
# quotation («وتابعت "ومن ناحية أخرى …"») the same words contrast two points of one statement.
@cache
def _turn_pattern() -> re.Pattern[str]:
    """A turn's connective (normalised) opening the text, a line, or a sentence after its full
    stop and a space, behind any quotation marks or brackets, with or without «و» attached."""
    markers = sorted({tuple(words(m)) for m in ordered("common/topic_turns")}, key=len, reverse=True)
    either = "|".join(r"\s+".join(re.escape(w) for w in m) for m in markers)
    return re.compile(r"(?:\A|[\n\r]|[.!?؟]\s)[^\w\n\r]*و?(?:" + either + r")(?!\w)")


def turns(body: str) -> tuple[int, ...]:
    """Where in a body's words (``words(body)``) a paragraph or sentence opens with a turn to
    another item (``common/topic_turns``, with or without the conjunction «و» before it). One
    pass over the normalised text; most articles never turn."""
    text = normalise(body or "")
    found = [m.start() for m in _turn_pattern().finditer(text)]
    if not found:
        return ()
    out, at, counted = [], 0, 0
    for start in found:  # words before each turn, counted on from the last
        at += len(_WORD.findall(text, counted, start))
        counted = start
        out.append(at)
    return tuple(out)


# --- the order of the words (copy_rule's ``ordered`` signal) ---------------------------------------
#
# An edit that runs through a whole release (a word changed or inserted in every sentence, a clitic
# or an agreement ending changed: «الوزارة»/«وزارة», «أوضح»/«وأوضح», «المشروعات»/«المشاريع» stays
# apart) breaks most three-word shingles while the words stay in their order. A report written
# separately from the same statement shares its names and quotations, but not the order of the
# words around them. The signal is the longest common subsequence of the two bodies' words, each
# reduced to a light stem (morphology.comparison_stem: one proclitic with the article, one suffix).


def common_subsequence(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence of two word sequences, bit-parallel (Allison
    and Dix, 1986): one pass over the longer, the shorter's positions as the bits of an integer."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    where: dict[str, int] = {}
    for j, w in enumerate(b):
        where[w] = where.get(w, 0) | (1 << j)
    full = (1 << len(b)) - 1
    v = full
    for w in a:
        u = v & where.get(w, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - bin(v).count("1")


def ordered_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """How much of two bodies (their words) is one text in one order: twice the longest common
    subsequence of their stems over the two lengths (1 for the same text, near 0 for strangers)."""
    if not a or not b:
        return 0.0
    stem = comparison_stem
    return 2 * common_subsequence([stem(w) for w in a], [stem(w) for w in b]) / (len(a) + len(b))


_PRIME = np.uint64((1 << 61) - 1)  # datasketch's Mersenne prime and largest hash value
_MAX_HASH = np.uint64((1 << 32) - 1)


def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """The (a, b) pairs of datasketch's MinHash for ``seed``, drawn as datasketch 1.x draws them
    (``MinHash._init_permutations``, MIT), so the signatures stored by every version are one. Drawn
    here, once: importing datasketch brings in SciPy (a preloaded worker peaked 43 MB higher)
    for a few lines, and datasketch draws them anew for every MinHash."""
    gen = np.random.RandomState(seed)
    return np.array(
        [
            (gen.randint(1, _PRIME, dtype=np.uint64), gen.randint(0, _PRIME, dtype=np.uint64))
            for _ in range(num_perm)
        ],
        dtype=np.uint64,
    ).T


_A, _B = (p.reshape(1, -1) for p in permutations())


def signature(shingle_set: Iterable[str]) -> np.ndarray:
    """datasketch's MinHash of the shingles (the first four bytes of each one's SHA-1, little-endian,
    under the shared permutations), computed in place on one array: datasketch's own update
    allocates four of them and calls a Python function per shingle (a fifth of its time)."""
    sha1 = hashlib.sha1
    raw = b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in shingle_set])
    if not raw:
        return np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    x = np.frombuffer(raw, dtype="<u4").astype(np.uint64)[:, None] * _A
    x += _B
    mersenne_remainder(x)
    # the low four bytes of each value (little-endian uint32 view): ``x & _MAX_HASH`` without a pass
    return x.view(np.uint32)[:, ::2].min(axis=0).astype(np.uint64)


_SHIFT = np.uint64(61)


def mersenne_remainder(x: np.ndarray) -> np.ndarray:
    """``np.remainder(x, _PRIME, out=x)`` for uint64 ``x``, without numpy's 64-bit division (a
    third of the signature's time): 2^61 ≡ 1 (mod 2^61 - 1), so x ≡ (x >> 61) + (x & _PRIME),
    which is below 2 * _PRIME and needs at most one subtraction (almost never: the fold reaches
    _PRIME only when the low 61 bits are within 7 of it)."""
    high = x >> _SHIFT
    np.bitwise_and(x, _PRIME, out=x)
    x += high
    if x.max(initial=0) >= _PRIME:
        x[x >= _PRIME] -= _PRIME
    return x


def band_keys(sig: np.ndarray) -> list[int]:
    """One 63-bit key per band (a signed BIGINT in the database), band number mixed in so that equal
    values in different bands never meet."""
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(
            sig[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8, person=b"band%04d" % b
        )
        keys.append(int.from_bytes(digest.digest(), "big") >> 1)
    return keys


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    """How much of the shorter text is in the other: 1 for a trimmed copy of a longer article."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def estimated_containment(j: float, na: int, nb: int) -> float:
    """Containment from an estimated Jaccard similarity and the two shingle counts."""
    if not na or not nb:
        return 0.0
    return min(1.0, j * (na + nb) / ((1 + j) * min(na, nb)))


def article_text(title: str | None, body: str | None) -> str:
    return f"{title or ''}\n{body or ''}"


def article_words(title: str | None, body: str | None) -> tuple[list[str], list[str]]:
    """``words(article_text(title, body))`` and ``words(body)``, the body normalised once: the
    normaliser maps character by character and the line break between them is no word's."""
    body_words = words(body or "")
    return words(title or "") + body_words, body_words
