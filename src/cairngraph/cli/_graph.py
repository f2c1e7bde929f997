"""The graph commands: ``cairn run``, ``resume``, ``answer`` and ``ui``.

Invariants:

- A graph comes from ``--graph module:attr`` and runs with the ``--db``
  store as its checkpointer (``_open.load_graph``), opened for writing.
- A run that stops at an interrupt exits 0 and says how to answer it; a run
  whose node raises exits 4 with the node's error on one line (the steps
  before it are saved, so ``cairn resume`` continues).
- ``ui`` imports the inspector only when it runs, so the command line works
  without the inspector's extra installed.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import click

from cairngraph.cli._app import (
    EXIT_GRAPH,
    EXIT_USAGE,
    CliError,
    blobs_spec,
    console,
    emit_json,
    graph_for,
    graph_spec,
    json_option,
    opened,
    store_options,
    store_url,
)
from cairngraph.cli._view import jsonable, short
from cairngraph.errors import CairnGraphError

__all__ = ["answer", "parse_json_value", "resume", "run", "ui"]

_GRAPH_OPTION = click.option(
    "--graph",
    default=None,
    metavar="MODULE:ATTR",
    help="The graph to run: a compiled graph or a StateGraph.",
)


def parse_json_value(text: str) -> Any:
    """``text`` as JSON when it parses, else the text itself (``yes`` is the string "yes")."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _invoke(db: str | None, graph: str | None, thread: str, payload: Any, as_json: bool) -> None:
    config = {"configurable": {"thread_id": thread}}
    with opened(db, read_only=False) as saver:
        workflow = graph_for(graph, saver, required=True)
        try:
            workflow.invoke(payload, config)
        except CairnGraphError:
            raise
        except Exception as error:  # noqa: BLE001 - a node's own error: reported, run resumable
            raise CliError(
                f"the graph failed on thread {thread!r}: {type(error).__name__}: {error}. The "
                f"steps before it are saved; fix the cause and run: cairn resume {thread}",
                EXIT_GRAPH,
            ) from None
        state = workflow.get_state(config)
    data = {
        "thread_id": thread,
        "checkpoint_id": state.config["configurable"]["checkpoint_id"],
        "values": jsonable(state.values),
        "next": list(state.next),
        "interrupts": [jsonable(found) for found in state.interrupts],
    }
    if as_json:
        emit_json(data)
        return
    out = console()
    out.print(f"thread {thread}  checkpoint {data['checkpoint_id']}")
    for key, value in data["values"].items():
        out.print(f"  {key}: {short(value, 150)}")
    if data["interrupts"]:
        for found in data["interrupts"]:
            out.print(f"waiting for an answer: {short(found, 150)}")
        out.print(f"answer with: cairn answer {thread} VALUE")
    else:
        out.print(f"next: {', '.join(data['next']) or '(finished)'}")


@click.command()
@click.option(
    "--input", "input_text", required=True, metavar="JSON", help="The run's input, as JSON."
)
@click.option("--thread", default=None, metavar="ID", help="The thread (default: a new random id).")
@_GRAPH_OPTION
@store_options
@json_option
def run(
    input_text: str, thread: str | None, graph: str | None, db: str | None, as_json: bool
) -> None:
    """Run the graph on an input in a thread, saving every step to the store.

    Example: cairn --db runs.db --graph app:graph run --input '{"topic": "owls"}'
    """
    try:
        payload = json.loads(input_text)
    except json.JSONDecodeError as error:
        raise CliError(
            f'--input is not JSON ({error.msg}); write e.g. --input \'{{"topic": "owls"}}\'',
            EXIT_USAGE,
        ) from None
    _invoke(db, graph, thread or uuid.uuid4().hex[:12], payload, as_json)


@click.command()
@click.argument("thread")
@_GRAPH_OPTION
@store_options
@json_option
def resume(thread: str, graph: str | None, db: str | None, as_json: bool) -> None:
    """Continue a thread from its last checkpoint (after a crash, an error or a stop).

    Example: cairn --db runs.db --graph app:graph resume t1
    """
    _invoke(db, graph, thread, None, as_json)


@click.command()
@click.argument("thread")
@click.argument("value")
@_GRAPH_OPTION
@store_options
@json_option
def answer(thread: str, value: str, graph: str | None, db: str | None, as_json: bool) -> None:
    """Answer the interrupt a thread waits on: resume it with VALUE (JSON, else text).

    Example: cairn --db runs.db --graph app:graph answer t1 '{"approved": true}'
    """
    from cairngraph.types import Command

    _invoke(db, graph, thread, Command(resume=parse_json_value(value)), as_json)


@click.command()
@store_options
@_GRAPH_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on.",
)
@click.option(
    "--read-only", is_flag=True, help="Refuse every change (fork, update, delete) in the inspector."
)
def ui(db: str | None, graph: str | None, host: str, port: int, read_only: bool) -> None:
    """Open the web inspector on the store (and the graph, if given).

    Example: cairn --db data/jokes.db ui --port 8765 --read-only
    """
    try:
        # Imported by name: the inspector is another extra, absent until installed.
        serve: Callable[..., None] = importlib.import_module("cairngraph.inspector").serve
    except ImportError as error:
        raise CliError(
            f"the web inspector cannot be loaded ({error}); install it with: pip install "
            "'cairngraph[inspector]'",
            EXIT_USAGE,
        ) from None
    serve(
        store_url(db),
        graph=graph_spec(graph),
        blobs=blobs_spec(),
        host=host,
        port=port,
        read_only=read_only,
    )
