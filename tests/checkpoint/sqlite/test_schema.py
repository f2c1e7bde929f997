"""SQLite saver: our cairn_ tables, their migrations, and files LangGraph's saver wrote."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite._schema import LATEST, MIGRATIONS
from cairngraph.errors import SchemaVersionError
from tests.checkpoint.sqlite._graphs import build, run_pause_resume

OURS = {
    "cairn_meta", "cairn_checkpoints", "cairn_writes", "cairn_values", "cairn_refs",
    "cairn_deleted", "cairn_threads",
}  # fmt: skip


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def schema(path: Path) -> list[tuple[str, str, str]]:
    """Our tables and indexes as SQLite stores them, quotes and spacing aside."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'cairn_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(kind, name, " ".join(str(sql).replace('"', "").split())) for kind, name, sql in rows]


def test_the_migration_list_is_numbered_one_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert len(MIGRATIONS) == LATEST


def test_a_new_file_has_only_prefixed_tables(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        run_pause_resume(saver)
    assert tables(path) == OURS
    indexes = {name for kind, name, _ in schema(path) if kind == "index"}
    assert indexes == {"cairn_refs_by_thread"}  # cairn_threads is its own order (migration 6)


def _format_1_file(path: Path, version: int) -> None:
    """A file as a cairngraph of schema ``version`` (1 or 2, storage format 1) left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:version]:
        for statement in migration.statements:
            conn.execute(statement)
    conn.execute("INSERT INTO cairn_meta VALUES ('schema_version', ?)", (str(version),))
    table = "cairn_checkpoints" if version == 2 else "checkpoints"
    conn.execute(
        f"INSERT INTO {table} VALUES ('old', '', '1', NULL, x'00', 'msgpack', x'80', NULL)"
    )
    conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_a_format_1_file_is_migrated_and_its_old_rows_are_kept_apart(
    tmp_path: Path, version: int
) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _format_1_file(old, version)
    with SqliteSaver.from_conn_string(str(old)) as saver:
        assert saver.get_tuple({"configurable": {"thread_id": "old"}}) is None
        run_pause_resume(saver, "after")
        assert saver.verify().ok
    with SqliteSaver.from_conn_string(str(new)):
        pass
    # Migrated step by step or made at once, a file ends with the same tables; the
    # format-1 rows stay, unread, in tables of their own (nothing was released yet
    # in that format, so nothing converts them).
    assert [row for row in schema(old) if "cairn_v1_" not in row[1]] == schema(new)
    assert tables(old) == OURS | {"cairn_v1_checkpoints", "cairn_v1_blobs", "cairn_v1_writes"}
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT thread_id FROM cairn_v1_checkpoints").fetchall() == [("old",)]


class LangGraphState(TypedDict, total=False):
    log: Annotated[list[str], lambda left, right: left + right]


def _langgraph_app(saver: Any) -> Any:
    from langgraph.graph import START, StateGraph

    graph = StateGraph(LangGraphState)
    graph.add_node("step", lambda state: {"log": [f"step {len(state['log'])}"]})
    graph.add_edge(START, "step")
    return graph.compile(checkpointer=saver)


def _langgraph_run(path: Path, thread: str) -> list[str]:
    """One more LangGraph run of ``thread`` on ``path``; the thread's log afterwards."""
    from langgraph.checkpoint.sqlite import SqliteSaver as LangGraphSaver

    with LangGraphSaver.from_conn_string(str(path)) as saver:
        app = _langgraph_app(saver)
        config = {"configurable": {"thread_id": thread}}
        app.invoke({"log": ["in"]}, config)
        threads = {item.config["configurable"]["thread_id"] for item in saver.list(None)}
        assert threads == {thread}, "LangGraph's saver sees only its own threads"
        return list(app.get_state(config).values["log"])


def _ours_run(path: Path, thread: str, earlier: list[str]) -> None:
    """A cairngraph run of ``thread`` on ``path``, after checking the ``earlier`` ones."""
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = build().compile(checkpointer=saver)
        for old in earlier:
            values = app.get_state({"configurable": {"thread_id": old}}).values
            assert values == {"log": ["first", "answer:42", "last"]}
        run_pause_resume(saver, thread)
        threads = {item.config["configurable"]["thread_id"] for item in saver.list(None)}
        assert threads == {*earlier, thread}, "our saver sees only its own threads"
        assert saver.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    earlier.append(thread)


@pytest.mark.parametrize("first", ["langgraph", "cairngraph"])
def test_langgraph_and_cairngraph_share_a_file(tmp_path: Path, first: str) -> None:
    pytest.importorskip("langgraph.checkpoint.sqlite")
    path = tmp_path / "both.db"
    ours: list[str] = []
    if first == "cairngraph":
        _ours_run(path, "a", ours)
        assert tables(path) == OURS
    assert _langgraph_run(path, "theirs") == ["in", "step 1"]
    _ours_run(path, "b", ours)  # on a LangGraph file, the first time creates our tables
    assert tables(path) == {"checkpoints", "writes"} | OURS
    # Both keep working on the same file, each with its own threads.
    assert _langgraph_run(path, "theirs") == ["in", "step 1", "in", "step 3"]
    _ours_run(path, "c", ours)
    assert _langgraph_run(path, "theirs")[-1] == "step 5"


def test_newer_schema_in_rollback_journal_mode_is_refused_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        run_pause_resume(saver)
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    conn.execute("UPDATE cairn_meta SET value = '999' WHERE key = 'schema_version'")
    conn.close()
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01", "a rollback-journal file (WAL would be 2, 2)"
    for read_only in (False, True):
        with pytest.raises(SchemaVersionError, match=r"schema version 999.*nothing was changed"):
            SqliteSaver(path, read_only=read_only)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))] == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
