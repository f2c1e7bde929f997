"""SQLite saver: what it can be opened on (``:memory:``, ``file:`` URIs, paths, connections)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from cairngraph.errors import StorageError, ThreadBusyError
from cairngraph.types import Command
from tests.checkpoint.sqlite._graphs import build, run_pause_resume


def journal_mode(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_memory_conn_string_runs_pauses_and_resumes_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with SqliteSaver.from_conn_string(":memory:") as checkpointer:
        run_pause_resume(checkpointer)
        assert journal_mode(checkpointer.conn) == "memory"
        assert len(list(checkpointer.list(None))) == 5
    # No database, WAL or lock file next to where the program runs.
    assert os.listdir(tmp_path) == []


def test_memory_savers_are_private_and_locks_stay_in_the_process() -> None:
    with (
        SqliteSaver.from_conn_string(":memory:") as first,
        SqliteSaver.from_conn_string(":memory:") as second,
    ):
        run_pause_resume(first)
        assert first.get_tuple({"configurable": {"thread_id": "1"}}) is not None
        assert second.get_tuple({"configurable": {"thread_id": "1"}}) is None
        with first.thread_lock("1", 1):
            with pytest.raises(ThreadBusyError, match="'1'"), first.thread_lock("1", 0.05):
                pass
            with second.thread_lock("1", 0.05):  # another database: its own locks
                pass


def test_shared_memory_uri_is_one_database_with_one_set_of_locks() -> None:
    uri = "file:cairn-shared-test?mode=memory&cache=shared"
    with closing(SqliteSaver(uri)) as first, SqliteSaver.from_conn_string(uri) as second:
        run_pause_resume(first)
        found = second.get_tuple({"configurable": {"thread_id": "1"}})
        assert found is not None and found.checkpoint.channel_values["log"][-1] == "last"
        with (
            first.thread_lock("t", 1),
            pytest.raises(ThreadBusyError, match="'t'"),
            second.thread_lock("t", 0.05),
        ):
            pass
        with second.thread_lock("t", 0.05):
            pass


def test_memory_async_saver_runs_pauses_and_resumes() -> None:
    async def scenario() -> None:
        async with AsyncSqliteSaver.from_conn_string(":memory:") as checkpointer:
            app = build().compile(checkpointer=checkpointer)
            config = {"configurable": {"thread_id": "a"}}
            await app.ainvoke({"log": []}, config)
            assert (await app.aget_state(config)).next == ("ask",)
            await app.ainvoke(Command(resume="yes"), config)
            values = (await app.aget_state(config)).values
            assert values == {"log": ["first", "answer:yes", "last"]}
            assert len([item async for item in checkpointer.alist(None)]) == 5

    asyncio.run(scenario())


def test_async_saver_on_a_file_uses_wal(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "a.db")) as checkpointer:
            assert journal_mode(checkpointer.conn) == "wal"
            await (
                build()
                .compile(checkpointer=checkpointer)
                .ainvoke({"log": []}, {"configurable": {"thread_id": "a"}})
            )

    asyncio.run(scenario())
    with SqliteSaver.from_conn_string(tmp_path / "a.db") as saver:
        app = build().compile(checkpointer=saver)
        assert app.get_state({"configurable": {"thread_id": "a"}}).next == ("ask",)


def test_async_saver_refuses_an_aiosqlite_connection_saying_what_to_pass(tmp_path: Path) -> None:
    aiosqlite = pytest.importorskip("aiosqlite")
    conn = aiosqlite.connect(str(tmp_path / "x.db"))  # not started: no thread, no file
    with pytest.raises(StorageError, match=r"aiosqlite.*from_conn_string\(path\)"):
        AsyncSqliteSaver(conn)
    with pytest.raises(StorageError, match=r"takes a path.*not builtins\.int"):
        SqliteSaver(42)  # type: ignore[arg-type]


def test_plain_path_and_file_uri_open_the_same_file_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        assert journal_mode(saver.conn) == "wal"
        run_pause_resume(saver, "plain")
    with SqliteSaver.from_conn_string(f"file:{path}") as saver:
        build().compile(checkpointer=saver)  # registers the types its pending writes hold
        assert journal_mode(saver.conn) == "wal"
        assert saver.path == str(path)
        assert saver.get_tuple({"configurable": {"thread_id": "plain"}}) is not None
        run_pause_resume(saver, "uri")
    # A relative URI, as sqlite3 reads it: relative to the working directory.
    monkeypatch.chdir(tmp_path)
    with SqliteSaver.from_conn_string("file:x.db?cache=private") as saver:
        build().compile(checkpointer=saver)
        assert len(list(saver.list(None))) == 10


def test_a_connection_the_user_opened(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    assert journal_mode(conn) == "wal"
    run_pause_resume(saver)
    saver.close()  # the caller's connection stays open: it is theirs to close
    assert conn.execute("SELECT count(*) FROM cairn_checkpoints").fetchone() == (5,)
    conn.close()
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    run_pause_resume(SqliteSaver(memory))
    assert journal_mode(memory) == "memory"


def test_a_connection_bound_to_its_thread_says_how_to_open_it(tmp_path: Path) -> None:
    saver = SqliteSaver(sqlite3.connect(tmp_path / "bound.db"))
    caught: list[StorageError] = []

    def read() -> None:
        try:
            saver.get_tuple({"configurable": {"thread_id": "1"}})
        except StorageError as error:
            caught.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert len(caught) == 1 and isinstance(caught[0], StorageError)
    assert "check_same_thread=False" in str(caught[0])
    assert str(tmp_path / "bound.db") in str(caught[0])


def test_bad_connection_strings_say_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"in-memory database.*Drop read_only=True"):
        SqliteSaver(":memory:", read_only=True)
    with pytest.raises(StorageError, match="in-memory database"):
        SqliteSaver("file:scratch?mode=memory", read_only=True)
    with pytest.raises(StorageError, match="contradicts mode=rwc"):
        SqliteSaver(f"file:{tmp_path / 'x.db'}?mode=rwc", read_only=True)
    with pytest.raises(StorageError, match="not host 'server'"):
        SqliteSaver("file://server/share/x.db")
    with pytest.raises(StorageError, match=r"does not exist.*read-only"):
        SqliteSaver(tmp_path / "missing.db", read_only=True)
    with pytest.raises(StorageError, match=r"does not exist.*read-only"):
        SqliteSaver(f"file:{tmp_path / 'missing.db'}?mode=ro")
    assert not (tmp_path / "missing.db").exists()
