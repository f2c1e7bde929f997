"""The summary of threads (``cairn_threads``) agrees with the checkpoints after every change.

Each lifecycle operation (delete, prune, copy, a retention sweep, saving an
older checkpoint) is followed by a comparison of the saver's ``threads()``
with the base class's, which reads every checkpoint and keeps no summary.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.retention import RetentionPolicy
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.checkpoint.sqlite._schema import MIGRATIONS
from tests.inspector.flows import fill


def _agrees(saver: BaseCheckpointSaver) -> list[str]:
    for arguments in ({}, {"search": "joke"}, {"filter": {"user": "bob"}}, {"limit": 2}):
        native = list(saver.threads(**arguments))  # type: ignore[arg-type]
        default = list(BaseCheckpointSaver.threads(saver, **arguments))  # type: ignore[arg-type]
        assert native == default, arguments
    return [info.thread_id for info in saver.threads()]


def test_summary_follows_delete_prune_copy_and_sweep(saver: BaseCheckpointSaver) -> None:
    fill(saver, jokes=4)
    before = _agrees(saver)
    saver.delete_thread("joke-3")
    assert _agrees(saver) == [t for t in before if t != "joke-3"]
    saver.prune(["review-forked"], strategy="keep_latest")
    saver.prune(["joke-0"], strategy="delete")
    saver.copy_thread("joke-1", "copy-of-1")
    listed = _agrees(saver)
    assert "joke-0" not in listed and "copy-of-1" in listed
    saver.sweep(RetentionPolicy(keep_last=1))
    assert sorted(_agrees(saver)) == sorted(listed)


def test_deleting_the_latest_checkpoint_lists_the_one_before(tmp_path: Path) -> None:
    saver = SqliteSaver(tmp_path / "s.db")
    try:
        fill(saver, jokes=2)
        config = {"configurable": {"thread_id": "joke-1"}}
        latest, older = list(saver.list(config, limit=2))
        saver.conn.execute(
            "DELETE FROM cairn_checkpoints WHERE thread_id = 'joke-1' AND checkpoint_id = ?",
            (latest.checkpoint.id,),
        )
        info = next(saver.threads(search="joke-1"))
        assert info.checkpoint_id == older.checkpoint.id
        _agrees(saver)
    finally:
        saver.close()


def test_a_version_4_file_gets_its_summary_from_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    saver = SqliteSaver(path)
    try:
        fill(saver, jokes=3)
        expected = list(saver.threads())
    finally:
        saver.close()
    # Made a version-4 file: drop what migration 5 made, as a file written before it.
    with sqlite3.connect(path) as conn:
        _drop_summary(conn, version=4)
    assert MIGRATIONS[4].version == 5
    saver = SqliteSaver(path)
    try:
        assert list(saver.threads()) == expected
        _agrees(saver)
    finally:
        saver.close()


def _drop_summary(conn: sqlite3.Connection, *, version: int) -> None:
    """Drop the thread summary and its triggers, and mark the file ``version``."""
    for name in ("TRIGGER cairn_threads_saved", "TRIGGER cairn_threads_removed"):
        conn.execute(f"DROP {name}")
    conn.execute("DROP TABLE cairn_threads")
    conn.execute("UPDATE cairn_meta SET value = ? WHERE key = 'schema_version'", (str(version),))


def _exact(conn: sqlite3.Connection) -> None:
    """One summary row per thread with root checkpoints: the key of its latest one."""
    summary = conn.execute("SELECT checkpoint_id, thread_id FROM cairn_threads").fetchall()
    latest = conn.execute(
        "SELECT MAX(checkpoint_id), thread_id FROM cairn_checkpoints WHERE ns = '' "
        "GROUP BY thread_id"
    ).fetchall()
    assert sorted(summary) == sorted(latest)


def test_a_version_5_file_gets_the_one_tree_summary(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    saver = SqliteSaver(path)
    try:
        fill(saver, jokes=3)
        expected = list(saver.threads())
    finally:
        saver.close()
    # Made a version-5 file: what migration 6 made replaced by what migration 5 made.
    with sqlite3.connect(path) as conn:
        _drop_summary(conn, version=5)
        for statement in MIGRATIONS[4].statements:
            conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM cairn_threads").fetchone() == (len(expected),)
    assert MIGRATIONS[5].version == 6
    saver = SqliteSaver(path)
    try:
        assert list(saver.threads()) == expected
        _exact(saver.conn)
        indexes = saver.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cairn_threads'"
        ).fetchall()
        assert indexes == []  # its primary key is its order
        fill(saver, jokes=5)  # new threads, and old ones run again
        _agrees(saver)
        _exact(saver.conn)
    finally:
        saver.close()


def test_the_summary_holds_whatever_the_order_rows_come_in(tmp_path: Path) -> None:
    saver = SqliteSaver(tmp_path / "s.db")
    try:
        fill(saver, jokes=3)
        conn = saver.conn
        _exact(conn)
        rows = conn.execute(
            "SELECT * FROM cairn_checkpoints WHERE thread_id = 'joke-1' ORDER BY checkpoint_id"
        ).fetchall()
        oldest, latest = rows[0], rows[-1]
        # An older row saved again (an import, a copy): the thread keeps its latest.
        conn.execute("DELETE FROM cairn_checkpoints WHERE checkpoint_id = ?", (oldest[2],))
        conn.execute("INSERT INTO cairn_checkpoints VALUES (?, ?, ?, ?, ?)", oldest)
        _exact(conn)
        # The latest row replaced by itself: still one row for the thread.
        conn.execute("INSERT OR REPLACE INTO cairn_checkpoints VALUES (?, ?, ?, ?, ?)", latest)
        _exact(conn)
        # Every row gone, newest first, then back oldest first.
        for row in reversed(rows):
            conn.execute("DELETE FROM cairn_checkpoints WHERE checkpoint_id = ?", (row[2],))
            _exact(conn)
        assert "joke-1" not in [info.thread_id for info in saver.threads()]
        for row in rows:
            conn.execute("INSERT INTO cairn_checkpoints VALUES (?, ?, ?, ?, ?)", row)
            _exact(conn)
        # A step from an old checkpoint (a fork) moves the thread to its new latest.
        saver.prune(["review-forked"], strategy="keep_latest")
        _exact(conn)
        for before in ("joke-1", "review-done", "review-paused", "nobody"):
            native = list(saver.threads(before=before))
            assert native == list(BaseCheckpointSaver.threads(saver, before=before)), before
        _agrees(saver)
    finally:
        saver.close()
