"""Run Alembic migrations from code (the CLI, the demo, the tests), with the same scripts as
``alembic upgrade head`` at the repository root; works from an installed wheel too."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise when the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(url))


def schema_behind(url: str) -> str | None:
    """What is wrong with the schema of ``url`` when it is not at the migrations' head (one line),
    or None when it is. Connection errors propagate: the caller decides whether to wait."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from db.session import get_engine

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with get_engine(url).connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return None
    state = f"at revision {', '.join(sorted(current))}" if current else "empty (no Khabar schema)"
    return f"the database is {state}, the code needs {', '.join(sorted(heads))}: run `khabar db upgrade`"
