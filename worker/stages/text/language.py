"""Which language a text is in: Arabic, or which other one (for a refusal that says so).

Counting Arabic-script letters is not enough: Persian, Urdu, Pashto and Kurdish are written in
the same script and would pass as Arabic and come out as noise events. The script decides first
(a text with no letters is "und"; a mostly Latin one is not Arabic); an Arabic-script text with
letters only the other languages use is then given to langid.py — whose model ships inside the
package (BSD licence), so nothing is fetched — which tells which of them it is; and it names the
language of any other refused text.
"""

from __future__ import annotations

import re
import threading

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

_IDENTIFIER = None
_LOCK = threading.Lock()


def _identifier():
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _LOCK:
            if _IDENTIFIER is None:
                from langid.langid import LanguageIdentifier, model

                ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
                ident.set_languages(list(CANDIDATES))
                _IDENTIFIER = ident
    return _IDENTIFIER


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
    code, p = _identifier().classify(text)
    if arabic_script and (p < MIN_PROBABILITY or code not in ("fa", "ur", "ps", "ku")):
        return "ar", 0.0
    if not arabic_script and code == "ar":
        return "und", 0.0
    return code, p


def language_name(code: str) -> str:
    return NAMES.get(code, "undetermined" if code == "und" else code)
