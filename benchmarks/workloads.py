"""The workloads, each written once against :class:`~benchmarks.engines.Engine`.

Each returns one figure (lower is better) in the unit it names.
"""

from __future__ import annotations

import itertools
import operator
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from benchmarks.engines import Engine


@dataclass(frozen=True)
class Workload:
    name: str
    unit: str
    run: Callable[[Engine, bool], float]
    group: str
    # Lines printed after the table (figures the one number of a row cannot hold).
    details: Callable[[], list[str]] | None = None


class Counter(TypedDict, total=False):
    x: int
    topic: str


class Joke(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


class Fan(TypedDict, total=False):
    topic: str
    results: Annotated[list[str], operator.add]


def _increment(state: Counter) -> dict[str, int]:
    return {"x": state["x"] + 1}


def chain(
    engine: Engine, length: int, node: Callable[..., Any] = _increment, schema: Any = Counter
) -> Any:
    graph = engine.StateGraph(schema)
    names = [f"n{i}" for i in range(length)]
    for name in names:
        graph.add_node(name, node)
    graph.add_edge(engine.START, names[0])
    for left, right in itertools.pairwise(names):
        graph.add_edge(left, right)
    return graph


def tutorial(engine: Engine) -> Any:
    graph = engine.StateGraph(Joke)
    graph.add_node("generate_joke", lambda s: {"joke": f"Why did the {s['topic']} cross?"})
    graph.add_node("explain_joke", lambda s: {"explanation": f"It is about {s['topic']}."})
    graph.add_edge(engine.START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", engine.END)
    return graph


def fan_out(engine: Engine, width: int = 10) -> Any:
    graph = engine.StateGraph(Fan)
    names = [f"w{i}" for i in range(width)]
    for name in names:
        graph.add_node(name, lambda s, name=name: {"results": [name]})
    graph.add_node("join", lambda s: {"topic": f"{len(s['results'])} results"})
    for name in names:
        graph.add_edge(engine.START, name)
    graph.add_edge(names, "join")
    return graph


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def chain_step(saver: str, durability: str | None = None) -> Callable[[Engine, bool], float]:
    """µs per step of a 100-node chain; ``durability`` None runs each engine's default
    (cairngraph: ``"sync"``, LangGraph: ``"async"``)."""
    extra = {} if durability is None else {"durability": durability}

    def run(engine: Engine, quick: bool) -> float:
        with tempfile.TemporaryDirectory() as folder:
            made = _saver(engine, saver, folder)
            app = chain(engine, 100).compile(checkpointer=made)
            rounds = 3 if quick else 10
            seconds = _timed(
                lambda: [app.invoke({"x": 0}, _config(f"t{i}"), **extra) for i in range(rounds)]
            )
            return seconds / (rounds * 101) * 1e6

    return run


def _saver(engine: Engine, kind: str, folder: str) -> Any:
    if kind == "none":
        return None
    if kind == "memory":
        return engine.memory()
    return engine.sqlite(os.path.join(folder, f"{engine.name}.db"))


def tutorial_threads(engine: Engine, quick: bool) -> float:
    app = tutorial(engine).compile(checkpointer=engine.memory())
    threads = 100 if quick else 1000
    seconds = _timed(
        lambda: [app.invoke({"topic": "chickens"}, _config(f"t{i}")) for i in range(threads)]
    )
    return seconds / threads * 1e6


def fan_out_join(saver: str) -> Callable[[Engine, bool], float]:
    def run(engine: Engine, quick: bool) -> float:
        with tempfile.TemporaryDirectory() as folder:
            app = fan_out(engine).compile(checkpointer=_saver(engine, saver, folder))
            rounds = 20 if quick else 200
            seconds = _timed(
                lambda: [app.invoke({"topic": "t"}, _config(f"f{i}")) for i in range(rounds)]
            )
            return seconds / rounds * 1e6

    return run


def _file_bytes(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def _checkpoint_wal(saver: Any) -> None:
    saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Chat(TypedDict):
    messages: list[Any]


def chat_bytes(at_turn: int) -> Callable[[Engine, bool], float]:
    """Bytes written per turn of a chat (one appended message per step) around ``at_turn``."""

    def run(engine: Engine, quick: bool) -> float:
        turn_target = min(at_turn, 200) if quick else at_turn

        # Functional syntax: the reducer comes from the engine under test.
        state = TypedDict("state", {"messages": Annotated[list[Any], engine.add_messages]})  # type: ignore[misc]  # noqa: UP013
        graph = engine.StateGraph(state)
        graph.add_node("reply", lambda s: {"messages": [("assistant", "sure " + "r" * 150)]})
        graph.add_edge(engine.START, "reply")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "chat.db")
            saver = engine.sqlite(path)
            app = graph.compile(checkpointer=saver)
            window = 10 if turn_target <= 10 else 50
            start = max(turn_target - window // 2, 1)
            before = 0
            for turn in range(start + window):
                if turn == start:
                    _checkpoint_wal(saver)
                    before = _file_bytes(path)
                app.invoke({"messages": [("user", f"turn {turn} " + "u" * 150)]}, _config("chat"))
            _checkpoint_wal(saver)
            # Two steps per turn: the user's message, then the reply.
            return (_file_bytes(path) - before) / window / 2

    return run


WORKLOADS = [
    Workload("chain of 100 nodes, no saver", "µs/step", chain_step("none"), "memory"),
    Workload("chain of 100 nodes, in-memory saver", "µs/step", chain_step("memory"), "memory"),
    Workload("tutorial graph, 1,000 threads, in-memory", "µs/invoke", tutorial_threads, "memory"),
    Workload("10-way fan-out and join, no saver", "µs/invoke", fan_out_join("none"), "memory"),
    Workload("10-way fan-out and join, in-memory", "µs/invoke", fan_out_join("memory"), "memory"),
    Workload("10-way fan-out and join, SQLite", "µs/invoke", fan_out_join("sqlite"), "sqlite"),
    Workload("bytes/step, chat at turn 10", "bytes", chat_bytes(10), "sqlite"),
    Workload("bytes/step, chat at turn 1,000", "bytes", chat_bytes(1000), "sqlite"),
]
