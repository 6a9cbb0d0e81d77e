"""The shipped NER model: a CRFsuite linear-chain CRF plus the gazetteer its features look up.

Files in worker/resources/ner/ (see LICENSE-MODEL.txt there): ``model.crfsuite.gz`` (the CRF),
``gazetteer.tsv.gz`` (folded word → entity type) and ``meta.json`` (how it was trained and its
held-out figures). The CRF is decompressed into memory; nothing is written to disk at load time.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pycrfsuite

from worker.stages.ner_features import sentence_features

MODEL_FILE = "model.crfsuite.gz"
GAZETTEER_FILE = "gazetteer.tsv.gz"
LEXICON_FILE = "lexicon.tsv.gz"
META_FILE = "meta.json"


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans (start, end, type) of a BIO tag sequence under conlleval rules: an I- tag
    after O or after another type starts a new entity."""
    out = []
    start, typ = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        if start is not None and (prefix != "I" or t != typ):
            out.append((start, i, typ))
            start, typ = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, typ = i, t
    return out


def _read_tsv_gz(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    rows = []
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        key, _, value = line.partition("\t")
        if value:
            rows.append((key, value))
    return rows


def default_model_dir() -> Path:
    return Path(str(resources.files("worker.resources") / "ner"))


class NerModel:
    """Tags a sentence (a sequence of token strings) with BIO tags over PERS LOC ORG MISC."""

    def __init__(
        self,
        tagger: pycrfsuite.Tagger,
        gazetteer: dict[str, str],
        meta: dict | None = None,
        lexicon: dict[str, int] | None = None,
    ):
        self._tagger = tagger
        self.gazetteer = gazetteer
        self.lexicon = lexicon or {}  # folded word → count, for clitic decisions (ner_clitics.py)
        self.meta = meta or {}
        self.labels = tuple(tagger.labels())

    @classmethod
    def from_bytes(
        cls,
        model: bytes,
        gazetteer: dict[str, str] | None = None,
        meta: dict | None = None,
        lexicon: dict[str, int] | None = None,
    ) -> NerModel:
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(model)
        return cls(tagger, gazetteer or {}, meta, lexicon)

    @classmethod
    def load(cls, model_dir: str | os.PathLike | None = None) -> NerModel:
        d = Path(model_dir) if model_dir else default_model_dir()
        path = d / MODEL_FILE
        if not path.is_file():
            raise FileNotFoundError(f"NER model not found: {path} (rebuild it with `khabar train-ner`)")
        model = gzip.decompress(path.read_bytes())
        gazetteer = dict(_read_tsv_gz(d / GAZETTEER_FILE))
        lexicon = {w: int(n) for w, n in _read_tsv_gz(d / LEXICON_FILE)}
        meta_path = d / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return cls.from_bytes(model, gazetteer, meta, lexicon)

    def tag(self, tokens: Sequence[str]) -> list[str]:
        if not tokens:
            return []
        return self._tagger.tag(sentence_features(tokens, self.gazetteer))

    def tag_with_marginals(self, tokens: Sequence[str]) -> tuple[list[str], list[float]]:
        """Tags and, for each token, the model's marginal probability of its tag."""
        if not tokens:
            return [], []
        tags = self._tagger.tag(sentence_features(tokens, self.gazetteer))
        return tags, [self._tagger.marginal(t, i) for i, t in enumerate(tags)]
