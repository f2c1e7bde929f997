"""The ``cairn`` group: shared options, output, exit codes and the one place errors end.

Invariants:

- Exit codes: 0 ok; 1 problems found (``verify``) or a thread or checkpoint
  not found; 2 usage error (bad option, argument, JSON, URL, ``--graph`` or graph);
  3 the store cannot be opened or read (missing, foreign, corrupt, read-only,
  unreachable); 4 the graph failed while running. Output cut short by its
  reader (``cairn export | head``) ends quietly with 1.
- Every cairngraph error (and an ``OSError``) raised by a command ends in
  :meth:`CairnGroup.invoke` as one line on stderr, ``Error: what; how to fix``,
  never a traceback.
- The store comes from the command's ``--db``, else the group's ``--db``,
  else ``CAIRN_DB``; its blob store likewise from ``--blobs`` (the command's,
  the group's) or ``CAIRN_BLOBS``, else none.
- ``--json`` output is one JSON document on stdout, shapes as in docs/cli.md.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from rich.console import Console

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.cli._open import GraphSpecError, load_graph, open_saver
from cairngraph.errors import (
    CairnGraphError,
    CheckpointNotFoundError,
    GraphRecursionError,
    InvalidConfigError,
    InvalidGraphError,
    InvalidResumeError,
    MissingBlobStoreError,
    SerializationError,
    StaleSchemaError,
    StorageError,
    UnregisteredTypeError,
    UnstorableTypeError,
)

__all__ = [
    "EXIT_GRAPH",
    "EXIT_PROBLEMS",
    "EXIT_STORE",
    "EXIT_USAGE",
    "BLOBS_HELP",
    "CairnGroup",
    "CliError",
    "Options",
    "blobs_spec",
    "console",
    "emit_json",
    "json_option",
    "store_options",
    "opened",
]

EXIT_PROBLEMS, EXIT_USAGE, EXIT_STORE, EXIT_GRAPH = 1, 2, 3, 4

BLOBS_HELP = (
    "The blob store the store's big values were saved in: a directory or s3://bucket/prefix "
    "(env: CAIRN_BLOBS)."
)
_BLOBS_KEY = "cairngraph.cli.blobs"

F = TypeVar("F", bound=Callable[..., Any])


class Problem(click.ClickException):
    """A one-line failure: found problems, or not found (exit 1)."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class UsageProblem(Problem):
    """Bad options, arguments, JSON, URL or ``--graph`` (exit 2)."""

    exit_code = EXIT_USAGE


class StoreProblem(Problem):
    """The store cannot be opened or read (exit 3)."""

    exit_code = EXIT_STORE


class GraphProblem(Problem):
    """The graph failed while running (exit 4)."""

    exit_code = EXIT_GRAPH


_BY_CODE: dict[int, type[Problem]] = {
    EXIT_PROBLEMS: Problem,
    EXIT_USAGE: UsageProblem,
    EXIT_STORE: StoreProblem,
    EXIT_GRAPH: GraphProblem,
}


def CliError(message: str, exit_code: int = EXIT_PROBLEMS) -> Problem:
    """The one-line failure to raise for ``exit_code`` (see the module docstring)."""
    return _BY_CODE[exit_code](message)


def exit_code_of(error: BaseException) -> int:
    """The exit code for an error a command raised."""
    if isinstance(error, CheckpointNotFoundError):
        return EXIT_PROBLEMS
    if isinstance(
        error, InvalidConfigError | GraphSpecError | InvalidGraphError | InvalidResumeError
    ):
        return EXIT_USAGE
    if isinstance(error, StorageError | SerializationError | OSError):
        return EXIT_STORE
    if isinstance(error, GraphRecursionError):
        return EXIT_GRAPH
    return EXIT_PROBLEMS


class CairnGroup(click.Group):
    """A click group that turns cairngraph errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()  # the reader (| head) has all it wanted
            raise click.exceptions.Exit(EXIT_PROBLEMS) from None
        except (CairnGraphError, OSError) as error:
            text = str(error) or type(error).__name__
            if isinstance(error, UnregisteredTypeError) and not isinstance(
                error, UnstorableTypeError
            ):
                text += " (for a graph's own types, pass --graph module:attr)"
            if isinstance(error, StaleSchemaError):
                text += " (with cairn: cairn migrate --db ...)"
            if isinstance(error, MissingBlobStoreError):
                text += " (with cairn: --blobs DIR or s3://bucket/prefix, or CAIRN_BLOBS)"
            raise CliError(text, exit_code_of(error)) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


@dataclass(slots=True)
class Options:
    """The group's options, handed to every command through the click context."""

    db: str | None = None
    graph: str | None = None
    blobs: str | None = None


def _remember_blobs(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_BLOBS_KEY] = value


def store_options(command: F) -> F:
    """Add ``--db`` and ``--blobs`` to a command (they override the group's, and the
    environment's ``CAIRN_DB`` and ``CAIRN_BLOBS``)."""
    with_db = click.option(
        "--db",
        "db",
        default=None,
        metavar="URL",
        help="The store: a SQLite path, sqlite:///path or postgresql://... (default: CAIRN_DB).",
    )(command)
    return click.option(
        "--blobs",
        default=None,
        metavar="DIR|s3://BUCKET/PREFIX",
        expose_value=False,
        callback=_remember_blobs,
        help=BLOBS_HELP,
    )(with_db)


def json_option(command: F) -> F:
    """Add ``--json`` to a read command."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (shapes in docs/cli.md)."
    )(command)


def store_url(db: str | None) -> str:
    """The store a command uses: its own ``--db``, else the group's, else ``CAIRN_DB``."""
    options = click.get_current_context().find_object(Options)
    url = db or (options.db if options else None) or os.environ.get("CAIRN_DB", "")
    if not url:
        raise CliError(
            "no store given: pass --db PATH_OR_URL (a SQLite file or postgresql://...) or set "
            "CAIRN_DB",
            EXIT_USAGE,
        )
    return url


def blobs_spec() -> str | None:
    """The blob store a command uses: its own ``--blobs``, else the group's, else
    ``CAIRN_BLOBS``; None when there is none."""
    ctx = click.get_current_context()
    options = ctx.find_object(Options)
    given = ctx.meta.get(_BLOBS_KEY) or (options.blobs if options else None)
    return given or os.environ.get("CAIRN_BLOBS") or None


def graph_spec(graph: str | None) -> str | None:
    """The ``--graph`` a command uses: its own, else the group's."""
    options = click.get_current_context().find_object(Options)
    return graph or (options.graph if options else None)


@contextmanager
def opened(db: str | None, *, read_only: bool) -> Iterator[BaseCheckpointSaver]:
    """The command's saver, read-only unless it writes.

    With the group's ``--graph``, the graph is loaded on the saver first, so
    the types of its state are registered and its checkpoints can be read.
    """
    with open_saver(store_url(db), read_only=read_only, blobs=blobs_spec()) as saver:
        spec = graph_spec(None)
        if spec is not None:
            load_graph(spec, saver)
        yield saver


def graph_for(graph: str | None, saver: BaseCheckpointSaver, *, required: bool) -> Any:
    """The command's graph on ``saver``, or None when no ``--graph`` was given."""
    spec = graph_spec(graph)
    if spec is None:
        if required:
            raise CliError(
                "this command runs a graph: pass --graph module:attr (a compiled graph or a "
                "StateGraph), e.g. --graph examples.tutorial.joke_graph:build_graph",
                EXIT_USAGE,
            )
        return None
    return load_graph(spec, saver)


def console() -> Console:
    """Where tables go: the terminal's width, or a wide page when output is piped."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=200, no_color=True, soft_wrap=False, file=sys.stdout)


def emit_json(data: Any) -> None:
    """Print ``data`` as one JSON document."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))
