"""fork, delete, verify and stats on real stores."""

from __future__ import annotations

import sqlite3

from cairngraph.cli._open import load_graph, open_saver
from tests.cli.helpers import JOKES, as_json, invoke


def test_fork_copies_history_up_to_a_checkpoint_and_resumes_there(store: str) -> None:
    rows = as_json(invoke("--db", store, "history", "t1", "--json"))["checkpoints"]
    at = rows[1]["checkpoint_id"]  # after generate_joke, before explain_joke
    forked = as_json(invoke("--db", store, "fork", "t1", at, "--to", "t1-copy", "--json"))
    assert forked == {
        "thread_id": "t1-copy",
        "from_thread_id": "t1",
        "checkpoint_ns": "",
        "checkpoint_id": at,
        "checkpoints": 3,
    }
    copy = as_json(invoke("--db", store, "history", "t1-copy", "--json"))["checkpoints"]
    assert [r["checkpoint_id"] for r in copy] == [r["checkpoint_id"] for r in rows[1:]]
    assert [r["changed"] for r in copy] == [r["changed"] for r in rows[1:]]
    assert copy[0]["next"] == ["explain_joke"]
    again = invoke("--db", store, "fork", "t1", at, "--to", "t1-copy")
    assert again.exit_code == 1 and "already exists" in again.stderr
    with open_saver(store, read_only=False) as saver:
        graph = load_graph(JOKES, saver)
        config = {"configurable": {"thread_id": "t1-copy"}}
        graph.invoke(None, config)
        state = graph.get_state(config)
        original = graph.get_state({"configurable": {"thread_id": "t1"}})
    assert state.values == original.values and state.next == ()
    assert len(as_json(invoke("--db", store, "history", "t1", "--json"))["checkpoints"]) == 4


def test_fork_a_thread_with_subgraph_checkpoints(store: str) -> None:
    rows = as_json(invoke("--db", store, "history", "n1", "--json"))["checkpoints"]
    forked = as_json(invoke("--db", store, "fork", "n1", "latest", "--to", "n2", "--json"))
    threads = {
        t["thread_id"]: t for t in as_json(invoke("--db", store, "threads", "--json"))["threads"]
    }
    assert threads["n2"]["checkpoints"] == threads["n1"]["checkpoints"] == forked["checkpoints"]
    assert threads["n2"]["namespaces"] == threads["n1"]["namespaces"]
    assert len(rows) == len(
        as_json(invoke("--db", store, "history", "n2", "--json"))["checkpoints"]
    )


def test_delete_asks_first(store: str) -> None:
    declined = invoke("--db", store, "delete", "t1", input="n\n")
    assert declined.exit_code == 1 and "not deleted" in declined.stderr
    assert invoke("--db", store, "history", "t1").exit_code == 0
    accepted = invoke("--db", store, "delete", "t1", input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert invoke("--db", store, "history", "t1").exit_code == 1
    assert as_json(invoke("--db", store, "delete", "t2", "--yes", "--json")) == {
        "thread_id": "t2",
        "checkpoints": 5,
    }
    left = [t["thread_id"] for t in as_json(invoke("--db", store, "threads", "--json"))["threads"]]
    assert sorted(left) == ["n1", "r1"]
    assert invoke("--db", store, "delete", "t2", "--yes").exit_code == 1


def _flip_two_values(path: str) -> None:
    """Flip one byte in the middle of two stored values (found by column type, at run time)."""
    with sqlite3.connect(path) as conn:
        columns = [c[1] for c in conn.execute("PRAGMA table_info(cairn_checkpoints)")]
        flipped = 0
        for column in columns:
            rows = conn.execute(
                f"SELECT {column} FROM cairn_checkpoints WHERE typeof({column}) = 'blob' "
                f"AND length({column}) > 8"
            ).fetchall()
            for (data,) in rows[: 2 - flipped]:
                middle = len(data) // 2
                bad = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
                conn.execute(
                    f"UPDATE cairn_checkpoints SET {column} = ? WHERE {column} = ?", (bad, data)
                )
                flipped += 1
        assert flipped == 2


def test_verify_passes_then_lists_each_problem(store: str) -> None:
    ok = as_json(invoke("--db", store, "verify", "--json"))
    assert ok["ok"] is True and ok["checked"] > 10 and ok["problems"] == []
    assert "no problems" in invoke("--db", store, "verify").stdout
    _flip_two_values(store)
    result = invoke("--db", store, "verify", "--json")
    assert result.exit_code == 1
    report = __import__("json").loads(result.stdout)
    assert report["ok"] is False and len(report["problems"]) == 2
    assert all(p["table"] == "cairn_checkpoints" and p["message"] for p in report["problems"])
    table = invoke("--db", store, "verify")
    assert table.exit_code == 1 and "2 problem(s)" in table.stdout
    damaged = invoke("--db", store, "threads")  # reading a damaged row: one line, exit 3
    assert damaged.exit_code == 3 and damaged.stderr.count("\n") == 1
    assert "cairn_checkpoints" in damaged.stderr and "Traceback" not in damaged.stderr


def test_stats(store: str) -> None:
    data = as_json(invoke("--db", store, "stats", "--json", "--top", "2"))
    assert data["threads"] == 4
    history = sum(
        len(as_json(invoke("--db", store, "history", t, "--json"))["checkpoints"])
        for t in ("t1", "t2", "r1")
    )
    assert data["checkpoints"] > history
    assert set(data["bytes_by_table"]) >= {"cairn_checkpoints", "cairn_values", "cairn_writes"}
    assert data["stored_bytes"] == sum(data["bytes_by_table"].values()) > 0
    assert len(data["biggest_threads"]) == 2
    sizes = [t["bytes"] for t in data["biggest_threads"]]
    assert sizes == sorted(sizes, reverse=True)
    assert "bytes by table" in invoke("--db", store, "stats").stdout
