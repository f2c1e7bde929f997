"""SQLite saver opened read-only: every read works, every write is a clear error.

The tests run as root, where ``chmod 0444`` does not stop SQLite from writing,
so they open files read-only with ``read_only=True``, ``mode=ro`` URIs and
read-only connections; ``test_files.py::test_read_only_file`` covers file
permissions when the suite runs as another user.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite._schema import LATEST
from cairngraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from cairngraph.errors import ReadOnlyStorageError, StaleSchemaError, StorageError
from cairngraph.types import Command
from tests.checkpoint.sqlite._graphs import build, run_pause_resume

Opener = Callable[[Path], SqliteSaver]

OPENERS: dict[str, Opener] = {
    "read_only=True": lambda path: SqliteSaver(path, read_only=True),
    "str read_only=True": lambda path: SqliteSaver(str(path), read_only=True),
    "mode=ro URI": lambda path: SqliteSaver(f"file:{path}?mode=ro"),
    "URI read_only=True": lambda path: SqliteSaver(f"file:{path}?cache=private", read_only=True),
    "read-only connection": lambda path: SqliteSaver(
        sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    ),
    "async read_only=True": lambda path: AsyncSqliteSaver(path, read_only=True),
}

DONE = {"log": ["first", "answer:42", "last"]}


@contextmanager
def written(tmp_path: Path) -> Iterator[Path]:
    """A closed file with a finished thread ``done`` and a thread ``paused`` at its interrupt."""
    path = tmp_path / "archive.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        run_pause_resume(saver, "done")
        build().compile(checkpointer=saver).invoke(
            {"log": []}, {"configurable": {"thread_id": "paused"}}
        )
    yield path


@pytest.mark.parametrize("how", sorted(OPENERS))
def test_every_read_works_and_every_write_says_how_to_open_it_writable(
    tmp_path: Path, how: str
) -> None:
    with written(tmp_path) as path:
        before = path.read_bytes()
        with closing(OPENERS[how](path)) as saver:
            assert saver.read_only
            app = build().compile(checkpointer=saver)
            done = {"configurable": {"thread_id": "done"}}
            paused = {"configurable": {"thread_id": "paused"}}
            assert app.get_state(done).values == DONE
            assert app.get_state(paused).next == ("ask",)
            history = list(app.get_state_history(done))
            assert len(history) == 5
            old = app.get_state(history[2].config)
            assert old.config == history[2].config
            assert saver.get_tuple(paused) is not None
            assert len(list(saver.list(None, filter={"source": "loop"}, limit=3))) == 3
            assert {i.config["configurable"]["thread_id"] for i in saver.list(None)} == {
                "done",
                "paused",
            }
            writes: list[Callable[[], object]] = [
                lambda: app.invoke(Command(resume="no"), paused),
                lambda: app.invoke({"log": []}, {"configurable": {"thread_id": "new"}}),
                lambda: app.update_state(done, {"log": ["x"]}, as_node="last"),
                lambda: saver.put_writes(history[0].config, [("log", ["x"])], "task"),
                lambda: saver.delete_thread("done"),
            ]
            for write in writes:
                with pytest.raises(ReadOnlyStorageError) as caught:
                    write()
                message = str(caught.value)
                assert "opened read-only" in message and str(path) in message
                assert "open it writable" in message
            assert app.get_state(done).values == DONE
        assert path.read_bytes() == before


def test_async_reads_on_a_read_only_saver(tmp_path: Path) -> None:
    async def scenario(path: Path) -> None:
        async with AsyncSqliteSaver.from_conn_string(path, read_only=True) as saver:
            app = build().compile(checkpointer=saver)
            state = await app.aget_state({"configurable": {"thread_id": "done"}})
            assert state.values == DONE
            with pytest.raises(ReadOnlyStorageError):
                await app.ainvoke({"log": []}, {"configurable": {"thread_id": "new"}})

    with written(tmp_path) as path:
        asyncio.run(scenario(path))


def test_a_reader_sees_what_a_writer_commits_meanwhile(tmp_path: Path) -> None:
    with (
        written(tmp_path) as path,
        SqliteSaver.from_conn_string(str(path)) as writer,
        SqliteSaver.from_conn_string(str(path), read_only=True) as reader,
    ):
        looking = build().compile(checkpointer=reader)
        config = {"configurable": {"thread_id": "later"}}
        assert looking.get_state(config).values == {}
        run_pause_resume(writer, "later")
        assert looking.get_state(config).values == DONE


def test_a_file_without_our_tables_is_refused_saying_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(StaleSchemaError, match=r"no cairngraph tables.*Open it writable once"):
        SqliteSaver(empty, read_only=True)
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE checkpoints (thread_id TEXT)")
    before = foreign.read_bytes()
    with pytest.raises(StaleSchemaError, match=r"foreign\.db\?mode=ro has no cairngraph"):
        SqliteSaver(f"file:{foreign}?mode=ro")
    assert foreign.read_bytes() == before


def test_an_older_file_opened_read_only_is_not_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    SqliteSaver(path).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE cairn_meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(StaleSchemaError, match=rf"schema version 1 .*reads version {LATEST}"):
        SqliteSaver(path, read_only=True)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT value FROM cairn_meta").fetchone() == ("1",)


def test_a_read_only_error_is_a_storage_error_and_an_os_error() -> None:
    assert issubclass(ReadOnlyStorageError, StorageError)
    assert issubclass(ReadOnlyStorageError, OSError)
