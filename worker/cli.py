"""The ``khabar`` command. Subcommands live in ``worker/commands/``; this module only assembles
them, so ``khabar --help`` stays quick (heavy imports happen inside the commands)."""

from __future__ import annotations

import importlib
import logging

import click

from worker.settings import get_settings


class KhabarGroup(click.Group):
    """Database problems every command can meet (no server, no database, no schema) end in one
    line that says what to do, not in a driver's traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            line = database_problem(exc)
            if line is None:
                raise
            raise click.ClickException(line) from exc


def database_problem(exc: BaseException) -> str | None:
    from sqlalchemy.exc import DBAPIError

    from worker.settings import mask_url

    if not isinstance(exc, DBAPIError):
        return None
    url = mask_url(get_settings().database_url)
    detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    if any(s in detail for s in ("no such table", "no such column", "UndefinedTable", "UndefinedColumn")) or (
        "does not exist" in detail and ("relation" in detail or "column" in detail)
    ):
        return f"the database {url} has no Khabar schema or an old one ({detail}): run `khabar db upgrade`"
    if "does not exist" in detail and "database" in detail:
        return f"{detail} ({url}): create it and run `khabar db upgrade`, or set KHABAR_DATABASE_URL"
    if "unable to open database file" in detail:
        return f"cannot open the SQLite database {url} ({detail}): check the path in KHABAR_DATABASE_URL"
    if type(exc).__name__ == "OperationalError":
        return f"cannot use the database {url}: {detail} (is it running? is KHABAR_DATABASE_URL right?)"
    return None


@click.group(
    cls=KhabarGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Khabar: Arabic news articles in, who did what to whom, where and when out.

    Configuration comes from KHABAR_* environment variables or a .env file (see README).
    The default database is a SQLite file in the working directory (khabar.db).
    """
    level = {0: get_settings().log_level, 1: "INFO"}.get(verbose, "DEBUG")
    logging.basicConfig(
        level=level if verbose else "WARNING", format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


# (module, attribute[, group, name]) of every command; modules are imported here, their heavy imports
# inside the commands.
COMMANDS = [
    ("worker.commands.ingest", "enqueue"),
    ("worker.commands.ingest", "worker"),
    ("worker.commands.ingest", "extract"),
    ("worker.commands.ingest", "demo"),
    ("worker.commands.bridge", "bridge"),
    ("worker.commands.watch", "watch"),
    ("worker.commands.query", "show"),
    ("worker.commands.query", "articles"),
    ("worker.commands.query", "events"),
    ("worker.commands.query", "export"),
    ("worker.commands.query", "status"),
    ("worker.commands.metrics", "metrics"),
    ("worker.commands.serve", "serve"),
    ("worker.commands.ops", "failures"),
    ("worker.commands.ops", "reprocess"),
    ("worker.commands.ops", "recover"),
    ("worker.commands.ops", "db"),
    ("worker.commands.ner", "tag"),
    ("worker.commands.ner", "train_ner"),
    ("worker.commands.ner", "build_ner_clusters"),
    ("worker.commands.ner", "build_ner_vectors"),
    ("worker.commands.ner", "bench"),
    ("worker.commands.ner", "quality"),
    ("worker.commands.quality_events", "articles", "quality", "events"),
    ("worker.commands.quality_explain", "explain", "quality", "explain"),
    ("worker.commands.quality_detection", "gsr", "quality", "gsr"),
    ("worker.commands.roles", "train_roles"),
    ("worker.commands.actors", "build_actors"),
    ("worker.commands.actors", "build_places"),
    ("worker.commands.language", "build_language_model"),
    ("worker.commands.quality_actors", "actors", "quality", "actors"),
    ("worker.commands.quality_stories", "stories", "quality", "stories"),
    ("worker.commands.bench_stages", "bench_stages", "bench", "stages"),
    ("worker.commands.bench_queries", "bench_queries", "bench", "queries"),
    ("worker.commands.bench_pipeline", "bench_pipeline", "bench", "pipeline"),
    ("worker.commands.soak", "soak"),
    ("worker.commands.duplicates", "duplicates"),
    ("worker.commands.entity", "entity"),
    ("worker.commands.stories", "stories"),
    ("worker.commands.bench_corpus", "bench_corpus", "bench", "corpus"),
]


def _register() -> None:
    for module_name, attr, *under in COMMANDS:
        command = getattr(importlib.import_module(module_name), attr)
        if under:  # (group, name): a subcommand of a group registered above
            group, name = under
            cli.commands[group].add_command(command, name)
        else:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="khabar")


if __name__ == "__main__":
    main()
