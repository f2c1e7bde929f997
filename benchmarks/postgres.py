"""PostgreSQL workloads: both engines' savers on the same server, each in its own schema."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypedDict

from benchmarks.engines import Engine
from benchmarks.workloads import Workload, _config, _timed, chain

URL = os.environ.get("CAIRNGRAPH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def saver(engine: Engine, blobs: Any = None) -> Iterator[tuple[Any, str]]:
    """A saver of ``engine`` over a fresh schema (dropped afterwards), and that schema.

    ``blobs``: the blob store of a cairngraph saver (LangGraph's savers have none).
    """
    import psycopg
    from psycopg.rows import dict_row

    schema = f"bench_{engine.name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}"
    try:
        if engine.name == "langgraph":
            from langgraph.checkpoint.postgres import PostgresSaver as LangGraphSaver

            with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
                made = LangGraphSaver(conn)
                made.setup()
                yield made, schema
        else:
            from cairngraph.checkpoint.postgres import PostgresSaver

            with PostgresSaver.from_conn_string(url, blobs=blobs) as made:
                made.setup()
                yield made, schema
    finally:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def chat_step(engine: Engine, quick: bool) -> float:
    """µs per step of a chat: each turn appends the user's message, then a reply."""
    # Functional syntax: the reducer comes from the engine under test.
    state = TypedDict("state", {"messages": Annotated[list[Any], engine.add_messages]})  # type: ignore[misc]  # noqa: UP013
    graph = engine.StateGraph(state)
    graph.add_node("reply", lambda s: {"messages": [("assistant", "sure " + "r" * 150)]})
    graph.add_edge(engine.START, "reply")
    turns = 20 if quick else 100
    with saver(engine) as (made, _schema):
        app = graph.compile(checkpointer=made)
        seconds = _timed(
            lambda: [
                app.invoke({"messages": [("user", f"turn {turn} " + "u" * 150)]}, _config("c"))
                for turn in range(turns)
            ]
        )
        return seconds / (turns * 2) * 1e6


def history(kind: str) -> Callable[[Engine, bool], float]:
    def run(engine: Engine, quick: bool) -> float:
        with saver(engine) as (made, _schema):
            app = chain(engine, 200 if quick else 999).compile(checkpointer=made)
            config = _config("long")
            app.invoke({"x": 0}, config)
            if kind == "whole":
                return _timed(lambda: list(app.get_state_history(config))) * 1e3
            return _timed(lambda: list(app.get_state_history(config, limit=10))) * 1e3

    return run


def processes(engine: Engine, quick: bool) -> float:
    """Milliseconds for N processes x M threads of the tutorial graph, all at once."""
    count, threads = (2, 5) if quick else (4, 25)
    with saver(engine) as (_made, schema):
        url = f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}"
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.pg_worker",
                    engine.name,
                    url,
                    f"p{index}",
                    str(threads),
                ]
            )
            for index in range(count)
        ]
        if any(worker.wait() != 0 for worker in workers):
            raise RuntimeError("a benchmark worker failed")
        return (time.perf_counter() - started) * 1e3


WORKLOADS = [
    Workload("chat of 100 turns, messages appended (PG)", "µs/step", chat_step, "postgres"),
    Workload("history of 1,000 checkpoints, whole (PG)", "ms", history("whole"), "postgres"),
    Workload("history of 1,000 checkpoints, page (PG)", "ms", history("page"), "postgres"),
    Workload("4 processes x 25 threads (PG)", "ms", processes, "postgres"),
]
