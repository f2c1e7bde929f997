"""The ``cairn`` command: inspect, check, copy and run threads in any checkpoint store.

Every command and its options are documented in ``docs/cli.md`` (a test walks
this group and fails when a command lacks help or a section there). Exit
codes, the error rule (one line, never a traceback) and where the store comes
from are in ``_app.py``; opening a store by URL and loading ``--graph`` in
``_open.py``, which the web inspector shares.

Example::

    cairn --db data/jokes.db threads
    cairn --db data/jokes.db history jokes-1 --json
"""

from __future__ import annotations

import click

from cairngraph import __version__
from cairngraph.cli._app import BLOBS_HELP, CairnGroup, Options
from cairngraph.cli._graph import answer, resume, run, ui
from cairngraph.cli._langgraph import import_langgraph
from cairngraph.cli._migrate import migrate
from cairngraph.cli._read import history, threads
from cairngraph.cli._retain import prune, sweep
from cairngraph.cli._show import diff_command, show
from cairngraph.cli._store import stats, verify
from cairngraph.cli._transfer_cmd import export_command, import_command
from cairngraph.cli._write import delete, fork

__all__ = ["cli", "main"]


@click.group(cls=CairnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="CAIRN_DB",
    default=None,
    metavar="URL",
    help="The store: a SQLite path, sqlite:///path or postgresql://... (env: CAIRN_DB).",
)
@click.option(
    "--blobs",
    envvar="CAIRN_BLOBS",
    default=None,
    metavar="DIR|s3://BUCKET/PREFIX",
    help=BLOBS_HELP,
)
@click.option(
    "--graph",
    default=None,
    metavar="MODULE:ATTR",
    help="A compiled graph or StateGraph: what run/resume/answer run; its state types are "
    "registered for every command.",
)
@click.version_option(__version__, prog_name="cairn")
@click.pass_context
def cli(ctx: click.Context, db: str | None, blobs: str | None, graph: str | None) -> None:
    """Inspect, check, copy and run cairngraph threads in any checkpoint store.

    Read commands open the store read-only. Exit codes: 0 ok, 1 problems found
    or not found, 2 usage error, 3 store error, 4 the graph failed.
    """
    ctx.obj = Options(db=db, graph=graph, blobs=blobs)


for _command in (
    threads,
    history,
    show,
    diff_command,
    fork,
    delete,
    prune,
    sweep,
    verify,
    export_command,
    import_command,
    import_langgraph,
    stats,
    migrate,
    run,
    resume,
    answer,
    ui,
):
    cli.add_command(_command)


def main() -> None:
    """The ``cairn`` entry point."""
    cli(prog_name="cairn")
