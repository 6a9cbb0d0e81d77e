"""The language identifier runs langid.py's classifier on arrays derived from its model
(worker/resources/language/model.npz) instead of unpickling the whole model in every process: the
same answers as langid, a deterministic build, and a shipped file that matches its recorded sha256."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from worker.stages.text import language
from worker.training.language_model import build_language_model, langid_model_string

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = Path(str(resources.files("worker.resources") / "language"))

TEXTS = {
    "arabic": "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة لخدمة المرضى من المناطق المجاورة.",
    "persian": "وزارت امور خارجه ایران روز دوشنبه اعلام کرد که گفتگوها با کشورهای اروپایی ادامه خواهد یافت.",
    "urdu": "پاکستان کے وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس کی صدارت کی اور معاشی صورتحال پر بات کی۔",
    "english": "The minister said on Monday that talks with European partners would continue next week.",
    "french": "Le ministre a déclaré lundi que les négociations avec les partenaires européens se poursuivraient.",
    "russian": "Министр заявил в понедельник, что переговоры с европейскими партнерами продолжатся.",
    "turkish": "Bakan pazartesi günü yaptığı açıklamada Avrupalı ortaklarla görüşmelerin süreceğini söyledi.",
    "mixed": "قال الوزير إن المحادثات ستستمر The minister said talks will go on الأسبوع المقبل 2015",
    "short latin": "ok",
    "short arabic": "سلام",
    "digits": "12345 ...",
    "empty": "",
}


@pytest.fixture(scope="module")
def langid_identifier():
    from langid.langid import LanguageIdentifier, model

    ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    ident.set_languages(list(language.CANDIDATES))
    return ident


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_identifier_answers_what_langid_answers(name, langid_identifier):
    code, p = langid_identifier.classify(TEXTS[name])
    assert language.classify(TEXTS[name]) == (code, pytest.approx(p, abs=1e-6))


def test_the_languages_are_told_apart():
    assert language.classify(TEXTS["persian"])[0] == "fa"
    assert language.classify(TEXTS["urdu"])[0] == "ur"
    assert language.classify(TEXTS["french"])[0] == "fr"


def test_the_identifier_does_not_unpickle_langids_model():
    """Loading langid's pickled 97-language model cost each pool process about 2 s of CPU and tens
    of MB; the identifier now never imports langid."""
    probe = (
        "import sys\nfrom worker.stages.text import language\n"
        f"print(language.identify({TEXTS['persian']!r})[0], 'langid' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["fa", "False"]


def test_the_build_is_deterministic_and_gives_the_shipped_file(tmp_path):
    from worker.cli import cli

    r = CliRunner().invoke(cli, ["build-language-model", "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    meta = build_language_model(tmp_path / "b")
    first = (tmp_path / "a" / language.MODEL_FILE).read_bytes()
    assert first == (tmp_path / "b" / language.MODEL_FILE).read_bytes()
    assert first == (SHIPPED / language.MODEL_FILE).read_bytes()
    assert meta["sha256"][language.MODEL_FILE] in r.output
    assert meta == json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))


def test_the_shipped_model_matches_its_recorded_sha256():
    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    data = (SHIPPED / language.MODEL_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == meta["sha256"][language.MODEL_FILE]
    assert meta["languages"] == sorted(language.CANDIDATES)
    # built from the langid.py installed: another langid means `khabar build-language-model` again
    assert meta["langid_model_sha256"] == hashlib.sha256(langid_model_string()).hexdigest()
