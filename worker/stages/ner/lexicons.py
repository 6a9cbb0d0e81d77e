"""Word knowledge from outside ANERcorp that the NER features use (see features.py).

Most of the tagger's misses are names it never saw in training. Shipped lists tell it about such
words: how common each word is in general Arabic text (``wordfreq.tsv.gz``, from the wordfreq
project's Arabic list), which words are parts of personal names (``person_names.tsv.gz`` from
arabnamer's name dictionary, ``wikidata_names.tsv.gz`` from Wikidata's transliterated names),
which words behave alike in Arabic Wikipedia (``clusters.tsv.gz``, ``khabar build-ner-clusters``)
and names of places, clubs and people (``name_list.tsv.gz``, from arwikicats); a model trained with
``--transliterations`` also has a letter model (``letters.tsv.gz``, letters.py: whose letters read
like a transliterated name). A word that is rare, never takes the article or a possessive suffix
in general text, is a listed name part, sits in a cluster of names or is spelt like a foreign
name, is likely a name. The files are built by ``khabar train-ner``
(worker/training/); licences and citations are in NOTICE.txt beside them.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from worker.stages.ner.letters import LETTERS_FILE, LetterModel

WORDFREQ_FILE = "wordfreq.tsv.gz"
NAMES_FILE = "person_names.tsv.gz"
# Word clusters from Arabic Wikipedia (``khabar build-ner-clusters``, worker/training/clusters.py):
# ``word<TAB>c1 c2 c3``, coarsest cluster first.
CLUSTERS_FILE = "clusters.tsv.gz"
# Names of places, organisations and people from outside ANERcorp (worker/training/gazetteers.py):
# ``folded name<TAB>type``.
NAME_LIST_FILE = "name_list.tsv.gz"
# Words of person names transliterated in Wikidata (names/ of ../shared/data, CC0), one a line.
WIKIDATA_NAMES_FILE = "wikidata_names.tsv.gz"
# The longest name of the name list that is looked up, in words.
MAX_NAME_WORDS = 5


@dataclass(frozen=True)
class Lexicons:
    # folded word → frequency in centibels below one per word (0 is the commonest; 100 is ten
    # times rarer); a word absent from the list is rarer than any listed one.
    freq: Mapping[str, int] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    # folded word → its clusters, coarsest first (as strings: they only ever make features)
    clusters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # folded multi-word name (words joined by spaces) → its type, and the names' first words
    name_list: dict[str, str] = field(default_factory=dict)
    name_firsts: frozenset[str] = frozenset()
    wd_names: frozenset[str] = frozenset()
    # the names' first one, two, … words (joined by spaces): a longer name is looked for only
    # where a name starts with the words so far
    name_prefixes: frozenset[str] = frozenset()
    # letter trigrams of transliterated names and of common words (letters.py)
    letters: LetterModel | None = None

    @classmethod
    def with_name_list(cls, name_list: dict[str, str], **kw) -> Lexicons:
        return cls(
            name_list=name_list,
            name_firsts=frozenset(n.split(" ", 1)[0] for n in name_list),
            name_prefixes=frozenset(_word_prefixes(name_list)),
            **kw,
        )

    def zipf_bucket(self, word: str) -> str:
        """The word's Zipf frequency (log10 per billion words) in half steps, or "none"."""
        return zipf_bucket_of(self.freq.get(word))


def zipf_bucket_of(cb: int | None) -> str:
    """The Zipf bucket of a frequency of ``freq`` (None: an unlisted word)."""
    return "none" if cb is None else _zipf_bucket(cb)


@lru_cache(maxsize=4096)  # a few hundred distinct frequencies: the arithmetic once for each
def _zipf_bucket(cb: int) -> str:
    zipf = 9 - (cb + 1) / 100
    return str(int(zipf * 2) / 2) if zipf >= 1 else "0"


def _word_prefixes(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        words = name.split(" ")
        for k in range(1, len(words) + 1):
            yield " ".join(words[:k])


def write(out_dir: str | Path, lex: Lexicons) -> None:
    """Write the lists as gzipped text, byte-identical for the same content."""
    freq_text = _frequency_text(lex.freq)
    names_text = "".join(f"{n}\n" for n in sorted(lex.names))
    files = {WORDFREQ_FILE: freq_text, NAMES_FILE: names_text}
    out = Path(out_dir)
    if lex.wd_names:
        files[WIKIDATA_NAMES_FILE] = "".join(f"{n}\n" for n in sorted(lex.wd_names))
    else:
        (out / WIKIDATA_NAMES_FILE).unlink(missing_ok=True)
    if lex.letters:
        files[LETTERS_FILE] = lex.letters.text()
    else:
        (out / LETTERS_FILE).unlink(missing_ok=True)
    if lex.name_list:
        files[NAME_LIST_FILE] = "".join(f"{n}\t{t}\n" for n, t in sorted(lex.name_list.items()))
    else:
        (out / NAME_LIST_FILE).unlink(missing_ok=True)
    for name, text in files.items():
        with (
            open(out / name, "wb") as fh,
            gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz,
        ):
            gz.write(text.encode("utf-8"))


def _lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines() if path.is_file() else []


class WordFrequencies(Mapping[str, int]):
    """``wordfreq.tsv.gz`` as word → frequency, in about 10 bytes a word: as a dict its 500,000
    words took 56 MB of every worker's memory (a string and a slot each), more than any other
    table of the model. Kept are the words' hashes, sorted, beside their frequencies (a word is
    found by its hash: two of Python's 64-bit string hashes agree by chance once in 10^19), and
    the file itself, read again to iterate the words, commonest first, as they were listed.
    Python's string hash differs between processes but not within one, nor in the processes it
    forks, which is all a table built at load needs."""

    def __init__(self, gzipped: bytes = b"") -> None:
        self._gzipped = gzipped
        hashes: list[int] = []
        values: list[int] = []
        for cb, words in _frequency_lines(gzipped):
            start = len(hashes)
            hashes.extend(map(hash, words))
            values.extend([cb] * (len(hashes) - start))
        # the last listing of a word wins, as a dict's update does: a stable sort keeps equal
        # hashes in file order and a look-up takes the last of them
        order = np.argsort(np.asarray(hashes, dtype=np.int64), kind="stable")
        self._hashes = np.asarray(hashes, dtype=np.int64)[order]
        self._values = np.asarray(values, dtype=np.int32)[order]
        self._len = int(np.count_nonzero(np.diff(self._hashes))) + 1 if len(hashes) else 0

    def __reduce__(self):
        # rebuilt from the file where it is unpickled: another process hashes strings otherwise
        return (WordFrequencies, (self._gzipped,))

    def get(self, word: str, default=None):
        h = hash(word)
        i = int(self._hashes.searchsorted(h, side="right")) - 1
        return int(self._values[i]) if i >= 0 and self._hashes[i] == h else default

    def __getitem__(self, word: str) -> int:
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for _, words in _frequency_lines(self._gzipped):
            for w in words:
                if w not in seen:
                    seen.add(w)
                    yield w

    def __len__(self) -> int:
        return self._len


def _frequency_lines(gzipped: bytes) -> Iterator[tuple[int, list[str]]]:
    for line in gzip.decompress(gzipped).decode("utf-8").splitlines() if gzipped else ():
        cb, _, words = line.partition("\t")
        yield int(cb), words.split()


def _frequency_text(freq: Mapping[str, int]) -> str:
    """One line per frequency (``cB<TAB>word word …``, commonest first): loads an order of
    magnitude faster than a line per word."""
    by_cb: dict[int, list[str]] = {}
    for w, cb in freq.items():
        by_cb.setdefault(cb, []).append(w)
    return "".join(f"{cb}\t{' '.join(sorted(ws))}\n" for cb, ws in sorted(by_cb.items()))


def read_clusters(path: str | Path) -> dict[str, tuple[str, ...]]:
    """A clusters file (``word<TAB>c1 c2 …``, gzipped) as word → clusters; empty when absent."""
    out = {}
    # The clusters nest, so ~90,000 words share a few thousand tuples of a few hundred ids: each
    # one made once (a tuple and three strings a word took ~20 MB of every worker's memory).
    shared: dict[str, tuple[str, ...]] = {}
    for line in _lines(Path(path)):
        word, _, ids = line.partition("\t")
        clusters = shared.get(ids)
        if clusters is None:
            clusters = shared[ids] = tuple(map(sys.intern, ids.split()))
        out[word] = clusters
    return out


def read(model_dir: str | Path) -> Lexicons:
    """The lists saved beside a model; empty where a file is absent (a model trained without them)."""
    d = Path(model_dir)
    freq_file = d / WORDFREQ_FILE
    freq = WordFrequencies(freq_file.read_bytes() if freq_file.is_file() else b"")
    names = frozenset(w for line in _lines(d / NAMES_FILE) for w in line.split())
    name_list = dict(line.split("\t", 1) for line in _lines(d / NAME_LIST_FILE))
    letters = _lines(d / LETTERS_FILE)
    return Lexicons.with_name_list(
        name_list,
        freq=freq,
        names=names,
        clusters=read_clusters(d / CLUSTERS_FILE),
        wd_names=frozenset(_lines(d / WIKIDATA_NAMES_FILE)),
        letters=LetterModel.from_lines(letters) if letters else None,
    )
