"""Generated sections of the README: the quality commands write their tables between markers
(``<!-- quality:NAME -->`` … ``<!-- /quality:NAME -->``) so the figures are never typed by hand."""

from __future__ import annotations

import re
from pathlib import Path

import click


def replace_section(text: str, name: str, block: str) -> str:
    start, end = f"<!-- quality:{name} -->", f"<!-- /quality:{name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise click.ClickException(f"markers {start} … {end} not found")
    return pattern.sub(lambda _: f"{start}\n{block}\n{end}", text, count=1)


def update_section(path: Path | str, name: str, block: str) -> None:
    path = Path(path)
    path.write_text(replace_section(path.read_text(encoding="utf-8"), name, block), encoding="utf-8")
    click.echo(f"updated {path}", err=True)
