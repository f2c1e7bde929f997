"""SQLite's ``list()`` yields rows that open on first read (``checkpoint/_listed.py``).

Each test compares what a caller observes with :meth:`list_eager`, which opens
every row before yielding it, on a real file.
"""

from __future__ import annotations

import asyncio
import copy
import operator
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from cairngraph.checkpoint._listed import ListedTuple
from cairngraph.checkpoint.base import CheckpointTuple
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import CheckpointNotFoundError, CorruptDataError
from cairngraph.graph import START, StateGraph
from cairngraph.types import interrupt


class State(TypedDict, total=False):
    topic: str
    items: Annotated[list[str], operator.add]


def _write(state: State) -> dict[str, Any]:
    return {"items": [f"draft about {state['topic']}", "x" * 3000 + state["topic"]]}


def _ask(state: State) -> dict[str, Any]:
    return {"items": [f"approved: {interrupt('approve?')}"]}


def _config(thread_id: str) -> Any:
    return {"configurable": {"thread_id": thread_id}}


@pytest.fixture
def saver(tmp_path: Path) -> Iterator[SqliteSaver]:
    """A file with 260 threads: more than one page of listed rows, with pending
    writes (each thread waits at an interrupt) and values stored apart."""
    with SqliteSaver.from_conn_string(str(tmp_path / "listed.db")) as made:
        builder = StateGraph(State)
        builder.add_node("write", _write)
        builder.add_node("ask", _ask)
        builder.add_edge(START, "write")
        builder.add_edge("write", "ask")
        app = builder.compile(checkpointer=made)
        for i in range(260):
            app.invoke({"topic": f"topic {i}"}, _config(f"t{i:03}"))
        yield made


def _fields(item: CheckpointTuple) -> tuple[Any, ...]:
    return (item.config, item.checkpoint, item.metadata, item.parent_config, item.pending_writes)


def test_listed_rows_read_as_eager_ones(saver: SqliteSaver) -> None:
    listed = list(saver.list(None))
    eager = list(saver.list_eager(None))
    assert len(listed) == len(eager) == 260 * 3  # input, write, waiting at ask
    assert all(type(item) is ListedTuple for item in listed)
    assert all(type(item) is CheckpointTuple for item in eager)
    assert [_fields(item) for item in listed] == [_fields(item) for item in eager]
    assert listed == eager and eager == listed
    assert any(item.pending_writes for item in listed)


def test_a_listed_tuple_behaves_as_a_tuple(saver: SqliteSaver) -> None:
    item = next(iter(saver.list(_config("t007"))))
    eager = next(iter(saver.list_eager(_config("t007"))))
    config, checkpoint, metadata, parent, writes = item
    assert (config, checkpoint, metadata, parent, writes) == tuple(eager)
    assert item[1] == eager[1] and item[-1] == eager[-1] and item[1:3] == eager[1:3]
    assert len(item) == 5 and metadata in item and item.index(parent) == 3
    assert repr(item) == repr(eager)
    assert item._asdict() == eager._asdict()
    replaced = item._replace(metadata={"step": 99})
    assert type(replaced) is CheckpointTuple and replaced.metadata == {"step": 99}
    assert replaced.checkpoint == eager.checkpoint
    assert copy.copy(item) == eager and type(copy.copy(item)) is CheckpointTuple
    assert item + ("more",) == (*eager, "more")  # noqa: RUF005 - the operator is under test
    with pytest.raises(TypeError, match="unhashable"):
        hash(item)


def test_filter_and_limit_across_pages(saver: SqliteSaver) -> None:
    for options in (
        {"filter": {"source": "loop"}},
        {"filter": {"source": "loop", "step": 1}, "limit": 230},
        {"limit": 300},
        {"limit": 7},
        {"before": next(iter(saver.list(None, limit=500)))[0], "limit": 260},
    ):
        listed = [_fields(item) for item in saver.list(None, **options)]
        eager = [_fields(item) for item in saver.list_eager(None, **options)]
        assert listed == eager, options
        assert listed, options


def _statements(saver: SqliteSaver) -> list[str]:
    seen: list[str] = []
    saver.conn.set_trace_callback(seen.append)
    return seen


def test_reading_metadata_opens_no_writes_and_no_values(saver: SqliteSaver) -> None:
    listed = list(saver.list(None))
    seen = _statements(saver)
    steps = [item.metadata["step"] for item in listed]
    assert steps and not seen  # the metadata was in the listed rows
    assert listed[0].checkpoint.channel_values["items"]
    pages = [s for s in seen if "cairn_writes" in s]
    assert len(pages) == 1  # the first page's writes, fetched once for all its rows
    for item in listed:
        item.pending_writes  # noqa: B018 - reading it is the point
    assert len([s for s in seen if "cairn_writes" in s]) == -(-len(listed) // 200)
    saver.conn.set_trace_callback(None)


def test_damage_is_raised_where_the_row_is_read(saver: SqliteSaver) -> None:
    wanted = next(iter(saver.list_eager(_config("t100"))))
    checkpoint_id = wanted.config["configurable"]["checkpoint_id"]
    with sqlite3.connect(saver.path) as conn:
        conn.execute(
            "UPDATE cairn_checkpoints SET body = CAST(zeroblob(40) AS BLOB) "
            "WHERE thread_id = 't100' AND checkpoint_id = ?",
            (checkpoint_id,),
        )
    listed = list(saver.list(_config("t100")))  # finding rows opens none of them
    with pytest.raises(CorruptDataError) as raised:
        listed[0].metadata  # noqa: B018
    assert raised.value.thread_id == "t100"
    assert raised.value.checkpoint_id == checkpoint_id
    with pytest.raises(CorruptDataError):
        list(saver.list_eager(_config("t100")))


def test_a_checkpoint_removed_before_it_is_read(saver: SqliteSaver) -> None:
    listed = list(saver.list(_config("t042")))
    other = list(saver.list(_config("t043")))
    saver.delete_thread("t042")
    assert listed[0].metadata["step"] >= 0  # stage 1 reads only what was listed
    with pytest.raises(CheckpointNotFoundError, match=r"'t042'.*removed \(pruned or deleted\)"):
        listed[0].checkpoint  # noqa: B018  # its big value went with the thread
    assert other[0].checkpoint.channel_values["items"]


def test_a_pruned_checkpoint_whose_values_are_kept_reads_as_listed(saver: SqliteSaver) -> None:
    listed = list(saver.list(_config("t050")))
    eager = list(saver.list_eager(_config("t050")))
    assert [bool(item.pending_writes) for item in eager] == [True, True, True]
    saver.prune(["t050"], strategy="keep_latest")
    assert len(list(saver.list(_config("t050")))) == 1
    assert listed[0].pending_writes == eager[0].pending_writes  # the kept one
    oldest = listed[-1]  # the input checkpoint: only small values, stored in its row
    assert oldest.checkpoint == eager[-1].checkpoint
    assert oldest.pending_writes == []  # removed with it


def test_alist_opens_rows_off_the_event_loop(saver: SqliteSaver) -> None:
    async def listed() -> list[CheckpointTuple]:
        return [item async for item in saver.alist(None, limit=300)]

    found = asyncio.run(listed())
    assert all(type(item) is CheckpointTuple for item in found)
    assert [_fields(item) for item in found] == [
        _fields(item) for item in saver.list_eager(None, limit=300)
    ]
