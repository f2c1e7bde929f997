"""SqliteCache: a real file — reopen, real-time expiry, its own table, bad files, threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from cairngraph.cache.sqlite import SqliteCache
from cairngraph.errors import StorageError

KEY = (("writes", "node"), "input")


def test_entries_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with SqliteCache(path) as cache:
        cache.set({KEY: ({"rows": (1, 2)}, None), (("other",), "k"): ("x", 3600)})
    with SqliteCache(str(path)) as reopened:
        assert reopened.get([KEY, (("other",), "k")]) == {
            KEY: {"rows": (1, 2)},
            (("other",), "k"): "x",
        }


def test_expiry_in_real_time_holds_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with SqliteCache(path) as cache:
        cache.set({KEY: ("brief", 0.3), (("kept",), "k"): ("kept", None)})
        assert cache.get([KEY]) == {KEY: "brief"}
    time.sleep(0.4)
    with SqliteCache(path) as reopened:
        assert reopened.get([KEY, (("kept",), "k")]) == {(("kept",), "k"): "kept"}
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM cairn_cache").fetchone()
    assert rows == (1,)  # the expired entry met by get() was deleted


def test_values_are_stored_with_our_serializer_in_a_cairn_table(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with SqliteCache(path) as cache:
        cache.set({KEY: ([1, "two"], None)})
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"cairn_cache"}
    assert conn.execute("SELECT namespace, key, type_tag FROM cairn_cache").fetchall() == [
        ('["writes","node"]', "input", "msgpack")
    ]


def test_it_shares_a_file_with_langgraphs_cache(tmp_path: Path) -> None:
    langgraph_sqlite = pytest.importorskip("langgraph.cache.sqlite")
    path = tmp_path / "shared.db"
    theirs = langgraph_sqlite.SqliteCache(path=str(path))
    theirs.set({KEY: ("theirs", None)})
    with SqliteCache(path) as ours:
        ours.set({KEY: ("ours", None)})
        ours.clear()
        assert ours.get([KEY]) == {}
    assert theirs.get([KEY]) == {KEY: "theirs"}


def test_in_memory_databases_are_separate() -> None:
    with SqliteCache(":memory:") as first, SqliteCache(":memory:") as second:
        first.set({KEY: (1, None)})
        assert second.get([KEY]) == {}


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StorageError, match=r"notes\.txt"):
        SqliteCache(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_a_foreign_cairn_cache_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cairn_cache (id INTEGER PRIMARY KEY, blob BLOB)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="columns"):
        SqliteCache(path)


def test_a_closed_cache_says_so(tmp_path: Path) -> None:
    cache: SqliteCache[str] = SqliteCache(tmp_path / "cache.db")
    cache.close()
    cache.close()  # closing twice is fine
    with pytest.raises(StorageError, match="closed"):
        cache.get([KEY])


def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open"):
        SqliteCache(tmp_path / "no" / "such" / "dir" / "cache.db")


def test_two_caches_on_one_file_from_many_threads(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    caches: list[SqliteCache[int]] = [SqliteCache(path), SqliteCache(path)]
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        cache = caches[worker % 2]
        try:
            for step in range(25):
                key = (("worker", str(worker)), str(step))
                cache.set({key: (step, None)})
                assert caches[(worker + 1) % 2].get([key]) == {key: step}
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for cache in caches:
        cache.close()
    assert errors == []
    with SqliteCache(path) as reopened:
        keys = [(("worker", str(n)), str(step)) for n in range(6) for step in range(25)]
        assert len(reopened.get(keys)) == 150


def test_path_may_be_given_by_keyword_as_in_langgraph(tmp_path: Path) -> None:
    with SqliteCache(path=str(tmp_path / "cache.db")) as cache:
        cache.set({KEY: ("v", None)})
        assert cache.get([KEY]) == {KEY: "v"}
