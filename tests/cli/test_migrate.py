"""``cairn migrate``: pending storage schema migrations, listed read-only, then applied."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg

from cairngraph.checkpoint.postgres import _schema as pg_schema
from cairngraph.checkpoint.sqlite import _schema as sqlite_schema
from tests.cli.helpers import invoke, make_store


def _make_version_4(path: str) -> None:
    """Undo migration 5 on a real file, as a file written before it."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER cairn_threads_saved")
        conn.execute("DROP TRIGGER cairn_threads_removed")
        conn.execute("DROP TABLE cairn_threads")
        conn.execute("UPDATE cairn_meta SET value = '4' WHERE key = 'schema_version'")


def _version(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return sqlite_schema.version(conn)


def test_sqlite_dry_run_lists_and_changes_nothing_then_applies(tmp_path: Path) -> None:
    path = make_store(str(tmp_path / "old.db"))
    _make_version_4(path)
    before = Path(path).read_bytes()
    dry = invoke("--db", path, "migrate", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    data = json.loads(dry.stdout)
    assert data["from_version"] == 4 and data["applied"] is False
    assert [m["version"] for m in data["pending"]] == [5, 6]
    assert Path(path).read_bytes() == before and _version(path) == 4
    # Read commands refuse the old file until it is migrated.
    refused = invoke("--db", path, "threads")
    assert refused.exit_code == 3 and "cairn migrate" in refused.stderr
    done = invoke("--db", path, "migrate")
    assert done.exit_code == 0, done.output
    assert "4 -> 6" in done.stdout and _version(path) == sqlite_schema.LATEST
    listed = invoke("--db", path, "threads", "--json")
    assert listed.exit_code == 0, listed.output
    again = json.loads(invoke("--db", path, "migrate", "--json").stdout)
    assert again["pending"] == [] and again["applied"] is False


def test_sqlite_newer_file_is_refused_untouched(tmp_path: Path) -> None:
    path = make_store(str(tmp_path / "new.db"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE cairn_meta SET value = '99' WHERE key = 'schema_version'")
    result = invoke("--db", path, "migrate")
    assert result.exit_code == 3
    assert "newer cairngraph" in result.stderr and "Traceback" not in result.output
    assert _version(path) == 99


def test_missing_file_is_one_line_exit_3(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "none.db"), "migrate", "--dry-run")
    assert result.exit_code == 3 and "does not exist" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_postgres_lists_then_applies_the_missing_migration(pg_url: str) -> None:
    make_store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE cairn_threads")
        conn.execute("DROP FUNCTION cairn_threads_saved, cairn_threads_removed CASCADE")
        conn.execute("DELETE FROM cairn_schema WHERE version = 4")
    dry = json.loads(invoke("--db", pg_url, "migrate", "--dry-run", "--json").stdout)
    assert dry["from_version"] == 3 and [m["version"] for m in dry["pending"]] == [4]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('cairn_threads')").fetchone() == (None,)
    done = json.loads(invoke("--db", pg_url, "migrate", "--json").stdout)
    assert done["applied"] is True and done["to_version"] == pg_schema.LATEST
    listed = json.loads(invoke("--db", pg_url, "threads", "--json").stdout)
    assert {"t1", "t2", "r1", "n1"} <= {row["thread_id"] for row in listed["threads"]}
