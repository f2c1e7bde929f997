"""The two engines behind one small namespace, so every workload is written once."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Engine:
    """``StateGraph``, ``START``/``END``, ``add_messages`` and saver makers of one library."""

    name: str
    StateGraph: Any
    START: str
    END: str
    add_messages: Callable[..., Any]
    memory: Callable[[], Any]
    sqlite: Callable[[str], Any]


def load(prefix: str) -> Engine:
    graph = importlib.import_module(f"{prefix}.graph")
    memory = importlib.import_module(f"{prefix}.checkpoint.memory")
    sqlite_module = importlib.import_module(f"{prefix}.checkpoint.sqlite")
    if prefix == "langgraph":

        def sqlite(path: str) -> Any:
            conn = sqlite3.connect(path, check_same_thread=False)
            return sqlite_module.SqliteSaver(conn)
    else:

        def sqlite(path: str) -> Any:
            return sqlite_module.SqliteSaver(path)

    return Engine(
        name=prefix,
        StateGraph=graph.StateGraph,
        START=graph.START,
        END=graph.END,
        add_messages=graph.add_messages,
        memory=memory.InMemorySaver,
        sqlite=sqlite,
    )


ENGINES = ("cairngraph", "langgraph")
