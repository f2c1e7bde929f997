"""SQLite gives freed space back: new files vacuum incrementally, older ones once converted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver
from tests.checkpoint.test_retention import _history


def _pragma(saver: SqliteSaver, name: str) -> int:
    return int(saver.conn.execute(f"PRAGMA {name}").fetchone()[0])


def test_a_new_file_shrinks_after_a_prune(tmp_path: Path) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "new.db")) as saver:
        assert _pragma(saver, "auto_vacuum") == 2  # INCREMENTAL
        for thread in range(5):
            _history(saver, f"t{thread}", 20)
        pages = _pragma(saver, "page_count")
        saver.prune([f"t{thread}" for thread in range(5)])
        assert _pragma(saver, "freelist_count") == 0
        assert _pragma(saver, "page_count") < pages / 2
        assert saver.verify().ok


def test_an_older_file_reuses_pages_until_vacuum_converts_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE other_tool (x)").connection.close()
    with SqliteSaver.from_conn_string(str(path)) as saver:
        assert _pragma(saver, "auto_vacuum") == 0  # set by whoever created the file
        _history(saver, "t", 30)
        saver.prune(["t"])
        freed = _pragma(saver, "freelist_count")
        assert freed > 0
        saver.vacuum()
        assert _pragma(saver, "auto_vacuum") == 2 and _pragma(saver, "freelist_count") == 0
        _history(saver, "u", 30)
        saver.prune(["u"])
        assert _pragma(saver, "freelist_count") == 0
        assert saver.verify().ok
    with SqliteSaver.from_conn_string(str(path), read_only=True) as reader:
        assert reader.get_tuple({"configurable": {"thread_id": "u"}}) is not None
