"""SQLite saver: bad files, schema versions, and what a step costs on disk."""

from __future__ import annotations

import itertools
import operator
import os
import sqlite3
import stat
import statistics
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import ReadOnlyStorageError, SchemaVersionError, StorageError
from cairngraph.graph import START, StateGraph, add_messages


def test_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    content = b"these are my notes, not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(StorageError, match="not a SQLite database") as caught:
        SqliteSaver(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        SqliteSaver(tmp_path / "no" / "such" / "dir.db")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    path = tmp_path / "ro.db"
    SqliteSaver(path).close()
    path.chmod(stat.S_IRUSR)
    saver = SqliteSaver(path)
    assert saver.read_only == "the file or the connection does not allow writing"
    assert list(saver.list(None)) == []
    with pytest.raises(ReadOnlyStorageError, match="opened read-only"):
        saver.delete_thread("1")


def test_read_only_database_connection(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    SqliteSaver(path).close()
    before = path.read_bytes()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    saver = SqliteSaver(conn)
    assert saver.read_only == "the file or the connection does not allow writing"
    assert saver.get_tuple({"configurable": {"thread_id": "1"}}) is None
    with pytest.raises(ReadOnlyStorageError, match=r"read-only.*open it writable"):
        saver.delete_thread("1")
    assert path.read_bytes() == before


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteSaver(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cairn_meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaVersionError, match="newer cairngraph"):
        SqliteSaver(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM cairn_meta").fetchone() == ("999",)


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    class State(TypedDict, total=False):
        topic: str
        joke: str

    graph = StateGraph(State)
    graph.add_node("write", lambda s: {"joke": f"about {s['topic']}"})
    graph.add_edge(START, "write")
    config = {"configurable": {"thread_id": "1"}}
    with SqliteSaver.from_conn_string(str(tmp_path / "keep.db")) as saver:
        graph.compile(checkpointer=saver).invoke({"topic": "owls"}, config)
    with SqliteSaver.from_conn_string(str(tmp_path / "keep.db")) as saver:
        app = graph.compile(checkpointer=saver)
        assert app.get_state(config).values == {"topic": "owls", "joke": "about owls"}
        assert len(list(app.get_state_history(config))) == 3
        assert conn_integrity(saver.conn) == "ok"


def conn_integrity(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _bytes_written(saver: SqliteSaver, thread: str) -> int:
    """Payload bytes of a thread: its checkpoint and writes rows, and the values it refers to."""
    row = saver.conn.execute(
        "SELECT (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM cairn_checkpoints WHERE thread_id = ?)"
        " + (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM cairn_writes WHERE thread_id = ?)"
        " + (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM cairn_values WHERE address IN "
        "(SELECT address FROM cairn_refs WHERE thread_id = ?))",
        (thread, thread, thread),
    ).fetchone()
    return int(row[0])


def test_a_step_stores_its_change_not_the_state(tmp_path: Path) -> None:
    class State(TypedDict):
        document: str
        counter: Annotated[int, operator.add]

    def chain(length: int) -> Any:
        graph = StateGraph(State)
        names = [f"n{i}" for i in range(length)]
        for name in names:
            graph.add_node(name, lambda s: {"counter": 1})
        graph.add_edge(START, names[0])
        for left, right in itertools.pairwise(names):
            graph.add_edge(left, right)
        return graph

    with SqliteSaver.from_conn_string(str(tmp_path / "size.db")) as saver:
        config = {"configurable": {"thread_id": "short"}}
        chain(10).compile(checkpointer=saver).invoke({"document": "x" * 200_000}, config)
        config = {"configurable": {"thread_id": "long"}}
        chain(60).compile(checkpointer=saver).invoke({"document": "x" * 200_000}, config)
        per_step = (_bytes_written(saver, "long") - _bytes_written(saver, "short")) / 50
    assert per_step < 2_000, per_step


def test_chat_appends_are_stored_as_deltas(tmp_path: Path) -> None:
    class Chat(TypedDict):
        messages: Annotated[list[Any], add_messages]

    graph = StateGraph(Chat)
    graph.add_node("reply", lambda s: {"messages": [("assistant", "ok " + "z" * 200)]})
    graph.add_edge(START, "reply")
    with SqliteSaver.from_conn_string(str(tmp_path / "chat.db")) as saver:
        app = graph.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "chat"}}
        sizes = []
        for turn in range(300):
            before = _bytes_written(saver, "chat")
            app.invoke({"messages": [("user", f"turn {turn} " + "q" * 200)]}, config)
            sizes.append(_bytes_written(saver, "chat") - before)
        state = app.get_state(config)
        assert len(state.values["messages"]) == 600
        assert state.values["messages"][-2].content.startswith("turn 299")
    # A turn writes about the size of its two new messages, at turn 290 as at turn 10;
    # the whole list (600 messages, ~150 KB) is only rewritten now and then.
    early, late = statistics.median(sizes[5:25]), statistics.median(sizes[-20:])
    assert late < 1.2 * early, (early, late)
    assert sum(sizes[-100:]) / 100 < 10_000


def test_corrupt_rows_name_table_thread_checkpoint_and_channel(tmp_path: Path) -> None:
    from cairngraph.errors import CorruptDataError

    class State(TypedDict, total=False):
        topic: str
        document: str

    graph = StateGraph(State)
    graph.add_node("a", lambda s: {"topic": s["topic"] + "!", "document": "d" * 5_000})
    graph.add_edge(START, "a")
    config = {"configurable": {"thread_id": "broken"}}
    with SqliteSaver.from_conn_string(str(tmp_path / "corrupt.db")) as saver:
        graph.compile(checkpointer=saver).invoke({"topic": "x"}, config)
        latest = saver.get_tuple(config)
        assert latest is not None
        saver.conn.execute("UPDATE cairn_values SET body = body || x'00'")
        with pytest.raises(CorruptDataError) as caught:
            saver.get_tuple(config)
        assert caught.value.table == "cairn_values"
        message = str(caught.value)
        assert message.count("'broken'") <= 1 and "saver.verify()" in message
        saver.conn.execute(
            "UPDATE cairn_checkpoints SET body = substr(body, 1, 20) || x'ff' || "
            "substr(body, 22) WHERE checkpoint_id = ?",
            (latest.checkpoint.id,),
        )
        with pytest.raises(
            CorruptDataError,
            match=r"table cairn_checkpoints, thread 'broken', namespace '', checkpoint '[^']+'",
        ) as caught:
            saver.get_tuple(config)
        assert (caught.value.thread_id, caught.value.checkpoint_id) == (
            "broken",
            latest.checkpoint.id,
        )
        report = saver.verify()
        assert not report.ok and len(report.problems) == 2, report.problems
        assert {problem.table for problem in report.problems} == {  # type: ignore[attr-defined]
            "cairn_checkpoints",
            "cairn_values",
        }


def test_readers_never_block_writers(tmp_path: Path) -> None:
    class State(TypedDict, total=False):
        topic: str

    graph = StateGraph(State)
    graph.add_node("a", lambda s: {"topic": s["topic"] + "!"})
    graph.add_edge(START, "a")
    path = tmp_path / "shared.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = graph.compile(checkpointer=saver)
        app.invoke({"topic": "first"}, {"configurable": {"thread_id": "t"}})
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (3,)
        # A reader in the middle of a transaction, another connection writing steps:
        app.invoke({"topic": "second"}, {"configurable": {"thread_id": "t2"}})
        assert reader.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (3,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (6,)
