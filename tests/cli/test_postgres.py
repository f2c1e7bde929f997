"""The read commands say the same of a PostgreSQL store as of the SQLite file it came from."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import as_json, invoke


def test_every_read_command_agrees_across_backends(store: str, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert invoke("--db", store, "export", "-o", str(out)).exit_code == 0
    assert invoke("--db", pg_url, "import", str(out)).exit_code == 0
    for db in (store, pg_url):
        assert as_json(invoke("--db", db, "verify", "--json"))["ok"] is True
    same = [["threads"], ["history", "t2"], ["history", "n1", "--limit", "2"], ["show", "r1"]]
    for args in same:
        assert as_json(invoke("--db", pg_url, *args, "--json")) == as_json(
            invoke("--db", store, *args, "--json")
        ), args
    threads = as_json(invoke("--db", store, "threads", "--json"))["threads"]
    ns = next(name for t in threads if t["thread_id"] == "n1" for name in t["namespaces"] if name)
    inner = as_json(invoke("--db", pg_url, "history", "n1", "--ns", ns, "--json"))["checkpoints"]
    first, last = inner[-1]["checkpoint_id"], inner[0]["checkpoint_id"]
    for args in (["show", "n1", last, "--ns", ns], ["diff", "n1", first, last, "--ns", ns]):
        here = as_json(invoke("--db", store, *args, "--json"))
        assert as_json(invoke("--db", pg_url, *args, "--json")) == here, args
    steps = as_json(invoke("--db", pg_url, "show", "n1", last, "--ns", ns, "--json"))
    assert steps["values"]["steps"] == ["a", "b"]
    pg_stats = as_json(invoke("--db", pg_url, "stats", "--json"))
    sqlite_stats = as_json(invoke("--db", store, "stats", "--json"))
    for key in ("threads", "checkpoints", "pending_writes", "encoded_bytes", "biggest_threads"):
        assert pg_stats[key] == sqlite_stats[key], key


def test_fork_and_delete_on_postgres(store: str, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert invoke("--db", store, "export", "--thread", "t1", "-o", str(out)).exit_code == 0
    assert invoke("--db", pg_url, "import", str(out)).exit_code == 0
    rows = as_json(invoke("--db", pg_url, "history", "t1", "--json"))["checkpoints"]
    forked = as_json(
        invoke("--db", pg_url, "fork", "t1", rows[1]["checkpoint_id"], "--to", "t9", "--json")
    )
    assert forked["checkpoints"] == 3
    ran = as_json(
        invoke(
            "--db",
            pg_url,
            "--graph",
            "examples.tutorial.joke_graph:build_graph",
            "resume",
            "t9",
            "--json",
        )
    )
    assert ran["values"] == as_json(invoke("--db", pg_url, "show", "t1", "--json"))["values"]
    assert invoke("--db", pg_url, "delete", "t9", "--yes").exit_code == 0
    left = as_json(invoke("--db", pg_url, "threads", "--json"))["threads"]
    assert [t["thread_id"] for t in left] == ["t1"]
