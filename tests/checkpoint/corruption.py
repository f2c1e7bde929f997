"""Helpers for the stored-data checks: a store with varied threads, its truth, byte flips.

Everything here goes through the public API (graphs, ``saver.list``) and plain
SQL on the saver's own tables, discovered at run time, so it keeps working
whatever the tables' columns look like.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from cairngraph.errors import CorruptDataError, DecryptionError
from cairngraph.graph import START, StateGraph
from cairngraph.types import interrupt

SECRET = "secret-7f3a-do-not-leak"
BIG = "B" * 6000  # larger than 4 KB: may be stored apart or compressed
USER_METADATA = {"owner": "alice-91", "tag": "corruption-suite"}
THREADS = ("thread-plain-1", "thread-paused-2", "thread-sub-3")
BOOKKEEPING = ("cairn_meta", "cairn_schema")
Checked = (CorruptDataError, DecryptionError)


class State(TypedDict, total=False):
    name: str
    count: int
    items: Annotated[list[str], operator.add]
    big: str


class ChildState(TypedDict, total=False):
    name: str
    items: Annotated[list[str], operator.add]
    count: int


def _first(state: State) -> dict[str, Any]:
    return {"name": f"{SECRET}:{state.get('name', '')}", "count": 1, "items": ["a"]}


def _second(state: State) -> dict[str, Any]:
    return {"count": state.get("count", 0) + 1, "items": ["b"], "big": BIG}


def _third(state: State) -> dict[str, Any]:
    return {"count": state.get("count", 0) + 1, "items": ["c"]}


def _asks(state: State) -> dict[str, Any]:
    return {"items": [f"answer:{interrupt('question?')}"]}


def _graph(middle: Callable[[State], dict[str, Any]] | Any) -> Any:
    graph = StateGraph(State)
    graph.add_node("first", _first)
    graph.add_node("second", middle)
    graph.add_node("third", _third)
    graph.add_edge(START, "first")
    graph.add_edge("first", "second")
    graph.add_edge("second", "third")
    return graph


def _child() -> Any:
    child = StateGraph(ChildState)
    child.add_node("inner", lambda state: {"items": ["inner"], "count": 10})
    child.add_edge(START, "inner")
    return child.compile()


def config(thread: str, ns: str = "") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}


def populate(saver: BaseCheckpointSaver) -> None:
    """Three threads: plain, paused at ``interrupt()``, and one with a subgraph."""
    run_config: dict[str, Any] = {"configurable": {"thread_id": THREADS[0]}}
    run_config["metadata"] = dict(USER_METADATA)
    _graph(_second).compile(checkpointer=saver).invoke({"name": "one"}, run_config)
    paused: dict[str, Any] = {"configurable": {"thread_id": THREADS[1]}}
    _graph(_asks).compile(checkpointer=saver).invoke({"name": "two"}, paused)
    sub = _graph(_child()).compile(checkpointer=saver)
    sub.invoke({"name": "three"}, {"configurable": {"thread_id": THREADS[2]}})


def run_twice(saver: BaseCheckpointSaver, thread: str) -> None:
    """Run ``thread`` twice so that its channels have several versions."""
    app = _graph(_second).compile(checkpointer=saver)
    app.invoke({"name": "first-run"}, {"configurable": {"thread_id": thread}})
    app.invoke({"name": "second-run"}, {"configurable": {"thread_id": thread}})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__") or hasattr(value, "__slots__"):
        return repr(value)
    return value


def snapshot(item: CheckpointTuple) -> dict[str, Any]:
    """One checkpoint tuple as plain, comparable data."""
    return {
        "config": _plain(item.config),
        "checkpoint_id": item.checkpoint.id,
        "channel_values": _plain(dict(item.checkpoint.channel_values)),
        "channel_versions": _plain(dict(item.checkpoint.channel_versions)),
        "versions_seen": _plain({k: dict(v) for k, v in item.checkpoint.versions_seen.items()}),
        "metadata": _plain(dict(item.metadata)),
        "parent_config": _plain(item.parent_config),
        "pending_writes": sorted(
            (repr(w.task_id), repr(w.channel), repr(_plain(w.value))) for w in item.pending_writes
        ),
    }


def namespaces(saver: BaseCheckpointSaver) -> list[tuple[str, str]]:
    """Every (thread, namespace) the store holds, found through ``list(None)``."""
    found = {
        (i.config["configurable"]["thread_id"], i.config["configurable"].get("checkpoint_ns", ""))
        for i in saver.list(None)
    }
    return sorted(found)


def read_all(saver: BaseCheckpointSaver, places: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Everything a reader can see: each place's history, and ``list(None)``."""
    seen: dict[str, Any] = {}
    for thread, ns in places:
        seen[f"{thread}|{ns}"] = [snapshot(i) for i in saver.list(config(thread, ns))]
    seen["*"] = [snapshot(i) for i in saver.list(None)]
    return seen


@dataclass(frozen=True)
class Cell:
    """One stored cell: a table, the row's primary key, a column, and its value."""

    table: str
    key: dict[str, Any]
    column: str
    value: bytes | str
    row: dict[str, Any]

    def describe(self) -> str:
        return f"{self.table}{self.key}.{self.column}"


@dataclass(frozen=True)
class Mutation:
    cell: Cell
    position: int
    new: bytes | str

    def describe(self) -> str:
        return f"{self.cell.describe()} byte {self.position} flipped"


def flips(cell: Cell) -> Iterator[Mutation]:
    """The cell with one byte XOR 0x01: in the middle, and for BLOBs also first and last."""
    value = cell.value
    if isinstance(value, bytes):
        if not value:
            return
        for position in sorted({0, len(value) // 2, len(value) - 1}):
            changed = bytearray(value)
            changed[position] ^= 0x01
            yield Mutation(cell, position, bytes(changed))
    elif value:
        raw = bytearray(value.encode())
        position = len(raw) // 2
        raw[position] ^= 0x01
        text = raw.decode(errors="replace")
        if text != value:
            yield Mutation(cell, position, text)


def sample(mutations: list[Mutation], limit: int, seed: int = 1234) -> list[Mutation]:
    """At most ``limit`` mutations, chosen deterministically, every table represented."""
    if len(mutations) <= limit:
        return mutations
    by_table: dict[str, list[Mutation]] = {}
    for m in mutations:
        by_table.setdefault(m.cell.table, []).append(m)
    rng = random.Random(seed)
    chosen: list[Mutation] = []
    share = max(1, limit // len(by_table))
    for items in by_table.values():
        chosen += items if len(items) <= share else rng.sample(items, share)
    rest = [m for m in mutations if m not in chosen]
    if len(chosen) < limit:
        chosen += rng.sample(rest, min(len(rest), limit - len(chosen)))
    return chosen[:limit]


def check_read(
    saver: BaseCheckpointSaver,
    places: Sequence[tuple[str, str]],
    truth: dict[str, Any],
    what: str,
) -> BaseException | None:
    """Read everything: the truth, or a checked error; anything else fails the test."""
    try:
        seen = read_all(saver, places)
    except Checked as error:
        check_message(error, what)
        return error
    except Exception as error:
        raise AssertionError(
            f"{what}: reading raised {type(error).__name__}: {error!s} (expected the truth, "
            "CorruptDataError or DecryptionError)"
        ) from error
    for place, history in truth.items():
        assert seen.get(place) == history, f"{what}: {place} read differently, without an error"
    return None


def check_message(error: BaseException, what: str) -> None:
    """A message names each place at most once and shows no raw bytes."""
    text = str(error)
    assert "b'\\x" not in text and 'b"\\x' not in text, f"{what}: bytes repr in {text!r}"
    assert "\\x" not in text, f"{what}: a \\x escape in the message {text!r}"
    for name in (*THREADS, *(getattr(error, "checkpoint_id", None) or "",)):
        if name:
            assert text.count(name) <= 1, f"{what}: {name!r} named more than once in {text!r}"


PLACES = ("thread_id", "checkpoint_ns", "checkpoint_id", "channel", "task_id")


def check_report(report: Any, what: str, table: str | None, rows: int = 1) -> None:
    """``verify()``'s report for a store with ``rows`` bad rows (0: a healthy store)."""
    assert isinstance(report.checked, int) and report.checked > 0, (
        f"{what}: checked={report.checked!r}"
    )
    assert isinstance(report.problems, list), f"{what}: problems is {type(report.problems)}"
    if rows == 0:
        assert report.ok is True, f"{what}: a healthy store is not ok: {report.problems!r}"
        assert report.problems == [], f"{what}: problems on a healthy store: {report.problems!r}"
        return
    assert report.ok is False, f"{what}: verify() did not notice the corruption"
    assert len(report.problems) == rows, f"{what}: expected {rows} problem(s): {report.problems!r}"
    for problem in report.problems:
        assert isinstance(problem, Checked), f"{what}: problem of type {type(problem).__name__}"
        assert isinstance(problem.table, str), f"{what}: problem.table={problem.table!r}"
        if table is not None:
            assert problem.table == table, f"{what}: problem in {problem.table}, not {table}"
        for place in PLACES:
            assert hasattr(problem, place), f"{what}: a problem has no attribute {place!r}"
        check_message(problem, what)
