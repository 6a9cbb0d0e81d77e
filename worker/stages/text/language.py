"""Which language a text is in: Arabic, or which other one (for a refusal that says so).

Counting Arabic-script letters is not enough: Persian, Urdu, Pashto and Kurdish are written in
the same script and would pass as Arabic and come out as noise events. The script decides first
(a text with no letters is "und"; a mostly Latin one is not Arabic); an Arabic-script text with
letters only the other languages use is then given to langid.py's identifier, which tells which of
them it is; and it names the language of any other refused text.

The identifier is langid.py's naive Bayes classifier over byte n-grams (BSD licence), run here on
its model's arrays restricted to ``CANDIDATES`` (``worker/resources/language/model.npz``, built by
``khabar build-language-model``) with langid's own arithmetic, so it answers what langid answers;
unpickling langid's whole 97-language model instead cost each pool process about 2 s of CPU and
20-50 MB of memory.
"""

from __future__ import annotations

import re
import threading
from importlib import resources
from typing import NamedTuple

import numpy as np

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FC]")
# runs of them: counted by their lengths, not letter by letter (a string per match)
_ARABIC_LETTERS = re.compile(ARABIC_LETTER.pattern + "+")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
# languages the identifier chooses among: Arabic, the other languages of its script, and the
# languages Arabic news sites most often also publish in
CANDIDATES = ("ar", "fa", "ur", "ps", "ku", "en", "fr", "es", "de", "tr", "he", "ru", "id", "ms")
NAMES = {
    "ar": "Arabic",
    "fa": "Persian",
    "ur": "Urdu",
    "ps": "Pashto",
    "ku": "Kurdish",
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "tr": "Turkish",
    "he": "Hebrew",
    "ru": "Russian",
    "id": "Indonesian",
    "ms": "Malay",
}
# Letters of the Arabic script that Arabic does not use but Persian, Urdu, Pashto and Kurdish do
# (پ چ ژ گ ک ی ے ۀ ٹ ڈ ڑ ں ھ ۆ ێ ڵ ڕ …). Their share among the script's letters is what marks another
# language: unvocalised Arabic without hamzas («الى», «اماكن») fools the identifier on its own.
OTHER_SCRIPT_LETTERS = re.compile(r"[\u0679-\u06D3\u06FA-\u06FC]")
MIN_OTHER_SHARE = 0.02
# Below this many letters the identifier guesses; the script alone decides.
MIN_LETTERS = 40
# The identifier names another language of the script only when it is this sure.
MIN_PROBABILITY = 0.9

MODEL_FILE = "model.npz"


class Model(NamedTuple):
    """The arrays langid's ``classify`` reads once its languages are set (see
    worker/training/language_model.py): the automaton that finds the byte n-grams (``tk_*``) and
    the per-language log probabilities of the n-grams (``nb_ptc``) and of the languages (``nb_pc``)."""

    classes: tuple[str, ...]
    nb_ptc: np.ndarray
    nb_pc: np.ndarray
    # a memoryview, whose items are Python ints: the walk below is a Python loop over the bytes
    tk_nextmove: memoryview
    tk_output_state: np.ndarray
    tk_output_feature: np.ndarray
    states: int
    features: int


_MODEL: Model | None = None
_LOCK = threading.Lock()


def _read_model() -> Model:
    with (resources.files("worker.resources") / "language" / MODEL_FILE).open("rb") as fh:
        with np.load(fh, allow_pickle=False) as npz:
            a = {name: npz[name] for name in npz.files}
    return Model(
        classes=tuple(str(c) for c in a["classes"]),
        nb_ptc=a["nb_ptc"],
        nb_pc=a["nb_pc"],
        tk_nextmove=memoryview(a["tk_nextmove"]),
        tk_output_state=a["tk_output_state"].astype(np.intp),
        tk_output_feature=a["tk_output_feature"].astype(np.intp),
        states=len(a["tk_nextmove"]) // 256,
        features=a["nb_ptc"].shape[0],
    )


def load() -> Model:
    """The identifier's model, read on first use (the worker's main process calls this before its
    pool forks, so that the pool processes share it)."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = _read_model()
    return _MODEL


def features(text: str, model: Model) -> np.ndarray:
    """langid's ``instance2fv``: how often each n-gram of the model occurs in the UTF-8 bytes."""
    nextmove = model.tk_nextmove
    state = 0
    visited = []
    for byte in text.encode("utf8"):
        state = nextmove[(state << 8) + byte]
        visited.append(state)
    entered = np.bincount(np.array(visited, dtype=np.intp), minlength=model.states)
    counts = np.bincount(
        model.tk_output_feature, weights=entered[model.tk_output_state], minlength=model.features
    )
    # counts are whole numbers far below 2**53, so the float weights lose nothing
    return counts.astype(np.uint32)


def classify(text: str) -> tuple[str, float]:
    """langid's ``classify`` with normalised probabilities: (the likeliest candidate, its probability)."""
    model = load()
    pd = np.dot(features(text, model), model.nb_ptc) + model.nb_pc
    # langid's log-sum-exp normalisation; an overflow gives inf and so a probability of 0, as there
    with np.errstate(over="ignore"):
        probs = 1 / np.exp(pd[None, :] - pd[:, None]).sum(1)
    best = int(np.argmax(probs))
    return model.classes[best], float(probs[best])


def _arabic_letters(text: str) -> int:
    return sum(map(len, _ARABIC_LETTERS.findall(text)))


def arabic_ratio(text: str) -> float:
    """Share of Arabic-script letters among the Arabic and Latin letters of ``text`` (0 when none)."""
    ar = _arabic_letters(text)
    lat = len(LATIN_LETTER.findall(text))
    return ar / (ar + lat) if ar + lat else 0.0


def identify(text: str, threshold: float = 0.5) -> tuple[str, float]:
    """(ISO 639-1 code or "und", how sure): "und" for a text without letters; else the
    identifier's language, except that a short or uncertain Arabic-script text is taken as Arabic
    and a mostly Latin one is never Arabic."""
    ar = _arabic_letters(text)
    lat = len(LATIN_LETTER.findall(text))
    if not ar and not lat:
        return "und", 1.0
    arabic_script = ar / (ar + lat) >= threshold
    if arabic_script and len(OTHER_SCRIPT_LETTERS.findall(text)) < MIN_OTHER_SHARE * ar:
        return "ar", 1.0
    if ar + lat < MIN_LETTERS:
        return ("ar", 0.0) if arabic_script else ("und", 0.0)
    code, p = classify(text)
    if arabic_script and (p < MIN_PROBABILITY or code not in ("fa", "ur", "ps", "ku")):
        return "ar", 0.0
    if not arabic_script and code == "ar":
        return "und", 0.0
    return code, p


def language_name(code: str) -> str:
    return NAMES.get(code, "undetermined" if code == "und" else code)
