"""``khabar build-language-model``: the language identifier's model from langid.py's."""

from __future__ import annotations

from pathlib import Path

import click

LANGUAGE_OUT = Path(__file__).resolve().parents[1] / "resources" / "language"


@click.command("build-language-model")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=LANGUAGE_OUT, show_default=True
)
def build_language_model(out: Path) -> None:
    """Write the language identifier's model (model.npz, meta.json with its sha256) from the model
    inside the installed langid.py, restricted to the languages the identifier chooses among.
    BSD-2-Clause, as langid.py. Deterministic: the same langid gives the same bytes."""
    from worker.training.language_model import build_language_model as build

    meta = build(out)
    click.echo(
        f"{out}: {len(meta['languages'])} languages, {meta['features']} features, {meta['states']} states; "
        f"sha256 {meta['sha256']['model.npz']}"
    )
