"""The camel-tools BERT NER backend (``KHABAR_NER_BACKEND=camel``), with the user's own camel-tools data.

Where the model comes from, first found wins:

1. ``KHABAR_CAMEL_NER_MODEL``: a folder holding a fine-tuned ``BertForTokenClassification`` and its
   tokenizer files (what ``camel_tools.ner.NERecognizer(model_path)`` loads);
2. the ``NamedEntityRecognition`` component of ``catalogue.json`` in ``CAMELTOOLS_DATA`` (default
   ``~/.camel_tools``), i.e. what ``camel_data -i ner-arabert`` installed.

Importing ``camel_tools.ner`` loads the camel-tools catalogue and, when ``catalogue.json`` is
missing, downloads it; so the catalogue is checked first and a missing one is a clear error here,
never a network wait inside a worker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from worker.stages.ner.model import NerModel


class CamelDataMissing(RuntimeError):
    """camel-tools data (catalogue or NER model) is not installed where the backend looks."""


def camel_data_dir(data_dir: str | None = None) -> Path:
    """Where camel-tools keeps its data: ``data_dir`` (``CAMELTOOLS_DATA``), else
    ``~/.camel_tools`` (its default)."""
    return Path(data_dir).expanduser().absolute() if data_dir else Path.home() / ".camel_tools"


def _catalogue_path(data_dir: str | None) -> Path:
    path = camel_data_dir(data_dir) / "catalogue.json"
    if not path.is_file():
        raise CamelDataMissing(
            f"camel NER backend: no camel-tools catalogue at {path}. Install the data with "
            "`camel_data -i ner-arabert` (with CAMELTOOLS_DATA pointing where it should go), or "
            "unset KHABAR_NER_BACKEND to use the shipped model."
        )
    return path


def model_path(explicit: str | None = None, data_dir: str | None = None) -> Path:
    """The folder of the BERT NER model the backend loads: ``explicit`` (``KHABAR_CAMEL_NER_MODEL``),
    else the NER entry of the camel-tools data catalogue."""
    if explicit:
        path = Path(explicit).expanduser()
    else:
        catalogue = json.loads(_catalogue_path(data_dir).read_text(encoding="utf-8"))
        try:
            component = catalogue["components"]["NamedEntityRecognition"]
            dataset = component["datasets"][component["default"]]
        except (KeyError, TypeError) as exc:
            raise CamelDataMissing(
                f"camel NER backend: {_catalogue_path(data_dir)} has no NamedEntityRecognition component"
            ) from exc
        path = camel_data_dir(data_dir) / "data" / dataset["path"]
    if not (path / "config.json").is_file():
        raise CamelDataMissing(
            f"camel NER backend: no BERT NER model at {path} (expected config.json, weights and "
            "vocab.txt); install it with `camel_data -i ner-arabert`"
        )
    return path


class CamelTagger:
    """camel-tools ``NERecognizer`` behind the interface of the shipped model (``tag``,
    ``tag_document``, ``tag_document_with_marginals``, ``names``, ``common``)."""

    def __init__(self, recognizer, shipped: NerModel, path: Path):
        self._recognizer = recognizer
        # The clitic lexicon of the shipped model serves both backends.
        self.names, self.common = shipped.names, shipped.common
        self.meta = {"model": "camel-tools NERecognizer", "path": str(path)}

    @classmethod
    def load(cls, model: str | os.PathLike | None = None, data_dir: str | None = None) -> CamelTagger:
        path = model_path(str(model) if model else None, data_dir)
        catalogue = _catalogue_path(data_dir)
        # camel_tools.ner imports camel_tools.data, which reads its catalogue from this variable
        # when first imported: the config's folder is the one it must see.
        os.environ["CAMELTOOLS_DATA"] = str(catalogue.parent)
        from camel_tools.ner import NERecognizer

        return cls(NERecognizer(str(path), use_gpu=False), NerModel.load(), path)

    def _safe(self, tokens: Sequence[str]) -> list[str]:
        # NERecognizer drops a word its tokenizer turns into no word piece, which would shift
        # the tags against the tokens; such words are replaced by the unknown token.
        tokenizer = self._recognizer.tokenizer
        return [t if tokenizer.tokenize(t) else tokenizer.unk_token for t in tokens]

    def tag_many(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        safe = [self._safe(s) for s in sentences if s]
        predicted = iter(self._recognizer.predict(safe) if safe else [])
        tags = [next(predicted) if s else [] for s in sentences]
        # Unknown labels (a model trained on another tag set) are read as O.
        return [[t if t[:2] in ("B-", "I-") else "O" for t in ts] for ts in tags]

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        return self.tag_many(sentences)

    def tag_document_with_marginals(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[list[list[str]], list[list[float]]]:
        tags = self.tag_many(sentences)
        return tags, [[1.0] * len(ts) for ts in tags]

    def tag(self, tokens: Sequence[str]) -> list[str]:
        return self.tag_many([tokens])[0] if tokens else []
