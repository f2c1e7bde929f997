"""A worker process for the PostgreSQL tests.

Usage: ``python -m tests.checkpoint.postgres._worker URL MODE ARGS...``

- ``setup``: call setup() (many processes at once).
- ``threads PREFIX COUNT``: run a 3-node graph on COUNT threads named PREFIX-i,
  all at once (one Python thread each).
- ``chain THREAD NODES SLEEP_MS [--resume]``: run a chain on one thread; prints
  ``started`` once the first node runs; exits 3 on ThreadBusyError.
- ``hold THREAD``: take the thread's lock, print ``held``, and wait to be killed.
"""

from __future__ import annotations

import itertools
import operator
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.errors import ThreadBusyError
from cairngraph.graph import START, StateGraph


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def chain(nodes: int, sleep_ms: float = 0, announce: bool = False) -> StateGraph:
    """START → n00 → n01 → … : each node appends its name to ``log``.

    With ``announce``, the first node to run in this process prints ``started``.
    """
    graph = StateGraph(State)
    names = [f"n{i:02d}" for i in range(nodes)]
    started = threading.Event()

    def make(name: str) -> Any:
        def node(state: State) -> dict[str, list[str]]:
            if announce and not started.is_set():
                started.set()
                print("started", flush=True)
            time.sleep(sleep_ms / 1000)
            return {"log": [name]}

        return node

    for name in names:
        graph.add_node(name, make(name))
    graph.add_edge(START, names[0])
    for left, right in itertools.pairwise(names):
        graph.add_edge(left, right)
    return graph


def _threads(saver: PostgresSaver, prefix: str, count: int) -> None:
    app = chain(3).compile(checkpointer=saver)

    def run(index: int) -> Any:
        config = {"configurable": {"thread_id": f"{prefix}-{index}"}}
        return app.invoke({"log": []}, config)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for result in pool.map(run, range(count)):
            assert result["log"] == ["n00", "n01", "n02"], result


def _chain(saver: PostgresSaver, rest: list[str]) -> int:
    thread, nodes, sleep_ms = rest[0], int(rest[1]), float(rest[2])
    app = chain(nodes, sleep_ms, announce=True).compile(checkpointer=saver)
    config = {"configurable": {"thread_id": thread, "lock_timeout": 30}}
    try:
        app.invoke(None if "--resume" in rest else {"log": []}, config)
    except ThreadBusyError as error:
        print(error, file=sys.stderr)
        return 3
    return 0


def main(argv: list[str]) -> int:
    url, mode, *rest = argv
    with PostgresSaver.from_conn_string(url, max_size=10) as saver:
        if mode == "setup":
            saver.setup()
        elif mode == "threads":
            _threads(saver, rest[0], int(rest[1]))
        elif mode == "chain":
            return _chain(saver, rest)
        elif mode == "hold":
            with saver.thread_lock(rest[0], 5):
                print("held", flush=True)
                time.sleep(120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
