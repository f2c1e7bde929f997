"""A worker process for the PostgreSQL tests.

Usage: python -m tests.checkpoint.postgres._worker URL MODE ARGS...

MODE ``setup``: call setup() (many processes at once).
MODE ``threads PREFIX COUNT``: run a 3-node graph on COUNT threads named PREFIX-i.
MODE ``chain THREAD NODES SLEEP_MS [--resume]``: run a chain on one thread.
"""

from __future__ import annotations

import itertools
import operator
import sys
import time
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.errors import ThreadBusyError
from cairngraph.graph import START, StateGraph


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def chain(nodes: int, sleep_ms: float) -> StateGraph:
    graph = StateGraph(State)
    names = [f"n{i:02d}" for i in range(nodes)]

    def make(name: str) -> Any:
        def node(state: State) -> dict[str, list[str]]:
            time.sleep(sleep_ms / 1000)
            return {"log": [name]}

        return node

    for name in names:
        graph.add_node(name, make(name))
    graph.add_edge(START, names[0])
    for left, right in itertools.pairwise(names):
        graph.add_edge(left, right)
    return graph


def main(argv: list[str]) -> int:
    url, mode, *rest = argv
    with PostgresSaver.from_conn_string(url, max_size=4) as saver:
        if mode == "setup":
            saver.setup()
            return 0
        if mode == "threads":
            prefix, count = rest[0], int(rest[1])
            app = chain(3, 0).compile(checkpointer=saver)
            for index in range(count):
                app.invoke({"log": []}, {"configurable": {"thread_id": f"{prefix}-{index}"}})
            return 0
        thread, nodes, sleep_ms = rest[0], int(rest[1]), float(rest[2])
        app = chain(nodes, sleep_ms).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": thread, "lock_timeout": 30}}
        try:
            app.invoke(None if "--resume" in rest else {"log": []}, config)
        except ThreadBusyError as error:
            print(error, file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
