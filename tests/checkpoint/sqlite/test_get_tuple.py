"""SQLite's ``get_tuple``: one statement finds the checkpoint and its pending writes.

The latest checkpoint is the namespace's greatest id, found inside that statement;
the writes come in (task id, slot) order, as ``list_eager`` gives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import ERROR, INTERRUPT, make_checkpoint
from cairngraph.checkpoint.sqlite import SqliteSaver


def _config(thread_id: str, checkpoint_id: str | None = None, ns: str = "") -> Any:
    configurable = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


@pytest.fixture
def saver(tmp_path: Path) -> Iterator[SqliteSaver]:
    with SqliteSaver.from_conn_string(str(tmp_path / "one.db")) as made:
        yield made


def _save(saver: SqliteSaver, thread_id: str, parent: str | None, count: int, ns: str = "") -> str:
    checkpoint = make_checkpoint(
        new_checkpoint_id(), "2026-01-01T00:00:00+00:00", {"count": count}, {"count": count}, {}, ()
    )
    config = saver.put(
        _config(thread_id, parent, ns), checkpoint, {"source": "loop", "step": count}, {}
    )
    return str(config["configurable"]["checkpoint_id"])


def test_latest_and_given_checkpoints_with_their_writes_in_one_statement(
    saver: SqliteSaver,
) -> None:
    first = _save(saver, "t", None, 0)
    second = _save(saver, "t", first, 1)
    _save(saver, "t", None, 7, ns="child:1")  # another namespace's newer checkpoint
    _save(saver, "u", None, 9)  # another thread's newer checkpoint
    # Tasks written out of order, with special slots, and a second batch of one task.
    saver.put_writes(_config("t", second), [("count", 5), (ERROR, "boom")], "task-b")
    saver.put_writes(_config("t", second), [(INTERRUPT, ["ask"]), ("count", 3)], "task-a")
    saver.put_writes(_config("t", second), [("count", 4), ("count", 6)], "task-c")
    saver.put_writes(_config("t", second), [("count", 4), ("count", 8), ("count", 9)], "task-c")
    seen: list[str] = []
    saver.conn.set_trace_callback(seen.append)
    latest = saver.get_tuple(_config("t"))
    given = saver.get_tuple(_config("t", first))
    saver.conn.set_trace_callback(None)
    assert len(seen) == 2  # one statement each
    assert latest is not None and given is not None
    assert latest.config["configurable"]["checkpoint_id"] == second
    assert latest.checkpoint.channel_values == {"count": 1}
    assert latest.parent_config == _config("t", first)
    assert given.checkpoint.channel_values == {"count": 0}
    assert given.pending_writes == [] and given.parent_config is None
    assert latest.pending_writes == [
        ("task-a", INTERRUPT, ["ask"]),  # a special channel's slot sorts first
        ("task-a", "count", 3),
        ("task-b", ERROR, "boom"),
        ("task-b", "count", 5),
        ("task-c", "count", 4),
        ("task-c", "count", 6),
        ("task-c", "count", 9),  # the first value at each index is kept; index 2 is new
    ]
    eager = next(iter(saver.list_eager(_config("t"))))
    assert tuple(eager) == tuple(latest)


def test_no_checkpoint_reads_as_none(saver: SqliteSaver) -> None:
    first = _save(saver, "t", None, 0)
    assert saver.get_tuple(_config("nobody")) is None
    assert saver.get_tuple(_config("t", ns="child:1")) is None
    assert saver.get_tuple(_config("t", first + "0")) is None
    assert saver.get_tuple(_config("t", first)) is not None
