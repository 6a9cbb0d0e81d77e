"""The language identifier's model (``worker/resources/language/``), derived from the one inside
langid.py: only the arrays its ``classify`` reads, with the classes restricted to the candidates
exactly as its ``set_languages`` restricts them. Unpickling langid's 97-language model costs every
process that loads it seconds of CPU and tens of MB; these arrays load in milliseconds.

Deterministic: the same langid model gives the same bytes (a zip with fixed dates, arrays in
.npy format, deflated: LZMA makes the file a third of the size but ``numpy.load`` then decompresses
the 4.5 MB transition table in one piece and leaves ~13 MB more of the loading process's heap in use;
deflate is read in bounded chunks)."""

from __future__ import annotations

import base64
import bz2
import hashlib
import io
import json
import pickle
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

from worker.stages.text.language import CANDIDATES, MODEL_FILE

SOURCE = "the model inside langid.py {version} (Marco Lui; langid/langid.py), restricted to {n} languages"
LICENCE = "BSD-2-Clause (langid.py, Copyright 2011 Marco Lui); see NOTICE.txt"
# zip entries carry a date; a fixed one keeps rebuilds byte-identical
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def langid_model_string() -> bytes:
    """The base64 model string shipped inside the installed langid.py."""
    from langid.langid import model

    return model if isinstance(model, bytes) else model.encode("ascii")


def model_arrays(model_string: bytes, candidates: tuple[str, ...] = CANDIDATES) -> dict[str, np.ndarray]:
    """The arrays ``LanguageIdentifier.classify`` uses after ``set_languages(candidates)``, in the
    dtypes and memory order langid gives them (the naive Bayes dot product then adds up in the same
    order, so the probabilities agree to the last bit). ``tk_output`` (state → feature indices) is
    flattened into two parallel arrays."""
    # langid's own model, unpickled exactly as langid unpickles it; it is never a file from elsewhere
    nb_ptc, nb_pc, nb_classes, tk_nextmove, tk_output = pickle.loads(
        bz2.decompress(base64.b64decode(model_string))
    )
    unknown = [c for c in candidates if c not in nb_classes]
    if unknown:
        raise ValueError(f"languages langid does not know: {unknown}")
    nb_numfeats = len(nb_ptc) // len(nb_pc)
    ptc = np.array(nb_ptc).reshape(nb_numfeats, len(nb_pc))
    pc = np.array(nb_pc)
    mask = np.fromiter((c in candidates for c in nb_classes), dtype=bool)
    out_state, out_feature = [], []
    for state in sorted(tk_output):
        for feature in tk_output[state]:
            out_state.append(state)
            out_feature.append(feature)
    nextmove = np.frombuffer(tk_nextmove, dtype=np.dtype(tk_nextmove.typecode))
    if nextmove.max() > np.iinfo(np.uint16).max:
        raise ValueError("langid's automaton has more states than uint16 holds")
    return {
        "classes": np.array([c for c in nb_classes if c in candidates]),
        "nb_ptc": ptc[:, mask],
        "nb_pc": pc[mask],
        "tk_nextmove": nextmove.astype(np.uint16),
        "tk_output_state": np.array(out_state, dtype=np.uint16),
        "tk_output_feature": np.array(out_feature, dtype=np.uint16),
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz ``numpy.load`` reads (without pickle), byte-identical for the same arrays."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[name], allow_pickle=False)
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def build_language_model(out: Path, model_string: bytes | None = None) -> dict:
    """Write ``model.npz`` and ``meta.json`` into ``out``; returns the meta."""
    model_string = langid_model_string() if model_string is None else model_string
    arrays = model_arrays(model_string)
    data = npz_bytes(arrays)
    out.mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILE).write_bytes(data)
    version = metadata.version("langid")
    meta = {
        "source": SOURCE.format(version=version, n=len(arrays["classes"])),
        "licence": LICENCE,
        "languages": [str(c) for c in arrays["classes"]],
        "features": int(arrays["nb_ptc"].shape[0]),
        "states": int(arrays["tk_nextmove"].shape[0] // 256),
        "langid_model_sha256": hashlib.sha256(model_string).hexdigest(),
        "sha256": {MODEL_FILE: hashlib.sha256(data).hexdigest()},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta
