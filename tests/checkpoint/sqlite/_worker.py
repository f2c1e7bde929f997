"""A worker process for the crash and locking tests: runs one chain graph on a SQLite file.

Usage: python -m tests.checkpoint.sqlite._worker DB THREAD RUN_ID SIDE_LOG NODES SLEEP_MS
       [--resume] [--lock-timeout SECONDS]

Each node appends ``"<run id>:<node>"`` to SIDE_LOG (flushed before the node
returns) and its name to the ``log`` state key. Exit code 3 means the thread
was busy.
"""

from __future__ import annotations

import argparse
import itertools
import operator
import os
import sys
import time
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import ThreadBusyError
from cairngraph.graph import START, StateGraph


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def build(nodes: int, run_id: str, side_log: str, sleep_ms: float) -> StateGraph:
    graph = StateGraph(State)
    names = [f"n{i:02d}" for i in range(nodes)]

    def make(name: str) -> Any:
        def node(state: State) -> dict[str, list[str]]:
            time.sleep(sleep_ms / 1000)
            with open(side_log, "a") as handle:
                handle.write(f"{run_id}:{name}\n")
                handle.flush()
                os.fsync(handle.fileno())
            return {"log": [name]}

        return node

    for name in names:
        graph.add_node(name, make(name))
    graph.add_edge(START, names[0])
    for left, right in itertools.pairwise(names):
        graph.add_edge(left, right)
    return graph


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("db", "thread", "run_id", "side_log"):
        parser.add_argument(name)
    parser.add_argument("nodes", type=int)
    parser.add_argument("sleep_ms", type=float)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--lock-timeout", type=float, default=60.0)
    args = parser.parse_args()
    graph = build(args.nodes, args.run_id, args.side_log, args.sleep_ms)
    config = {
        "configurable": {"thread_id": args.thread, "lock_timeout": args.lock_timeout},
        "recursion_limit": 1000,
    }
    with SqliteSaver.from_conn_string(args.db) as saver:
        app = graph.compile(checkpointer=saver)
        try:
            app.invoke(None if args.resume else {"log": []}, config)
        except ThreadBusyError as error:
            print(error, file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
