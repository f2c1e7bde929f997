"""Opening stores by URL: read-only means nothing written; bad stores are one clear line."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import psycopg
import pytest

from cairngraph.cli._open import open_saver, sqlite_path
from cairngraph.errors import InvalidConfigError, ReadOnlyStorageError
from tests.cli.helpers import invoke, make_store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_urls_name_their_file() -> None:
    assert sqlite_path("data/jokes.db") == "data/jokes.db"
    assert sqlite_path("sqlite:///data/jokes.db") == "data/jokes.db"
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"
    assert sqlite_path("postgresql://host/db") is None


def test_read_commands_change_nothing_in_the_file(store: str) -> None:
    path = Path(store)
    with sqlite3.connect(store) as conn:  # fold the WAL in, so the main file holds everything
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(path)
    for args in (["threads"], ["history", "t1"], ["show", "t1"], ["stats"], ["verify"]):
        result = invoke("--db", f"sqlite:///{store}", *args)
        assert result.exit_code == 0, result.stderr
    assert digest(path) == before
    wal = Path(store + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_read_only_saver_refuses_writes(store: str) -> None:
    with open_saver(store, read_only=True) as saver:
        assert saver.get_tuple({"configurable": {"thread_id": "t1"}}) is not None
        with pytest.raises(ReadOnlyStorageError):
            saver.delete_thread("t1")


def test_a_missing_file_is_one_line_and_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = invoke("--db", str(missing), "threads")
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "does not exist" in result.stderr and "check the path" in result.stderr
    assert not missing.exists()


def test_a_foreign_file_is_a_clear_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 100)
    result = invoke("--db", str(text), "threads")
    assert result.exit_code == 3, result.stderr
    assert "not a SQLite database" in result.stderr
    assert "Traceback" not in result.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    result = invoke("--db", str(other), "history", "t1")
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    with sqlite3.connect(other) as conn:  # nothing was added to the foreign file
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
    assert names == ["songs"]


def test_a_langgraph_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "langgraph.db"
    with sqlite3.connect(path) as conn:  # the two tables LangGraph's SqliteSaver makes
        conn.execute("CREATE TABLE checkpoints (thread_id TEXT, checkpoint BLOB)")
        conn.execute("CREATE TABLE writes (thread_id TEXT, value BLOB)")
    before = digest(path)
    for args in (["threads"], ["delete", "t1", "--yes"], ["fork", "t1", "latest", "--to", "x"]):
        result = invoke("--db", str(path), *args)
        assert result.exit_code == 3, (args, result.stderr)
        assert "LangGraph's SqliteSaver file" in result.stderr
    assert digest(path) == before


def test_no_store_and_a_bad_scheme_are_usage_errors(tmp_path: Path) -> None:
    result = invoke("threads", env={"CAIRN_DB": ""})
    assert result.exit_code == 2 and "--db" in result.stderr and "CAIRN_DB" in result.stderr
    result = invoke("--db", "mysql://host/db", "threads")
    assert result.exit_code == 2 and "postgresql://" in result.stderr
    with pytest.raises(InvalidConfigError), open_saver(":memory:", read_only=False):
        pass


def test_cairn_db_from_the_environment_and_per_command(store: str, tmp_path: Path) -> None:
    result = invoke("threads", "--json", env={"CAIRN_DB": store})
    assert result.exit_code == 0, result.stderr
    result = invoke("--db", str(tmp_path / "missing.db"), "threads", "--db", store)
    assert result.exit_code == 0, result.stderr  # the command's --db wins


def test_postgres_read_only_sessions_cannot_write(pg_url: str) -> None:
    make_store(pg_url)
    with open_saver(pg_url, read_only=True) as saver:
        assert saver.get_tuple({"configurable": {"thread_id": "t1"}}) is not None
        # The server itself refuses: the session is read-only.
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            saver.delete_thread("t1")
    with open_saver(pg_url, read_only=True) as saver:
        assert saver.get_tuple({"configurable": {"thread_id": "t1"}}) is not None


def test_postgres_without_tables_is_one_line(pg_url: str) -> None:
    result = invoke("--db", pg_url, "threads")
    assert result.exit_code == 3
    assert "tables are missing" in result.stderr and result.stderr.count("\n") == 1


def test_the_helpers_the_inspector_imports_keep_their_shape() -> None:
    import inspect

    import cairngraph.cli
    from cairngraph.cli import _open

    assert set(cairngraph.cli.__all__) == {"cli", "main"}
    opening = inspect.signature(_open.open_saver)
    assert list(opening.parameters) == ["url", "read_only", "blobs"]
    assert opening.parameters["read_only"].kind is inspect.Parameter.KEYWORD_ONLY
    assert opening.parameters["blobs"].default is None
    assert list(inspect.signature(_open.load_graph).parameters) == ["spec", "saver"]


def test_an_unreachable_postgres_is_one_line_at_once() -> None:
    result = invoke("--db", "postgresql://postgres@127.0.0.1:9/test", "threads")
    assert result.exit_code == 3
    assert "cannot connect to PostgreSQL at 127.0.0.1:9/test" in result.stderr
    assert result.stderr.count("\n") == 1
