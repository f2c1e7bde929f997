"""``cairn migrate --graph``: each thread's latest checkpoint brought to the graph's state
version by a new checkpoint, planned read-only first; refusals write nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import StateGraph
from tests.cli import graphs
from tests.cli.helpers import ROOT, as_json, invoke

V2 = "tests.cli.graphs:build_rated_v2"
TOPICS = {"done": "geese", "halfway": "owls"}


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _run(path: str, builder: StateGraph, thread: str, topic: str, **compile: Any) -> None:
    with SqliteSaver.from_conn_string(path) as saver:
        builder.compile(checkpointer=saver, **compile).invoke({"topic": topic}, _config(thread))


@pytest.fixture
def old_store(tmp_path: Path) -> str:
    """Threads written by version 1 (finished, stopped before a node, waiting at an
    interrupt) and one already written by version 2."""
    path = str(tmp_path / "rated.db")
    _run(path, graphs.build_rated_v1(), "done", "geese")
    _run(path, graphs.build_rated_v1(), "halfway", "owls", interrupt_before=["summarize"])
    _run(path, graphs.build_rated_v1_asking(), "paused", "cats")
    _run(path, graphs.build_rated_v2(), "new", "hens")
    return path


def _stored(path: str, thread: str) -> list[Any]:
    """The thread's checkpoints as stored (no graph, so no migration on read), newest first."""
    with SqliteSaver.from_conn_string(path, read_only=True) as saver:
        return list(saver.list_eager(_config(thread)))


def _counts(path: str) -> dict[str, int]:
    return {t: len(_stored(path, t)) for t in ("done", "halfway", "paused", "new")}


def test_dry_run_plans_every_thread_and_writes_nothing(old_store: str) -> None:
    before = _counts(old_store)
    data = as_json(invoke("--db", old_store, "migrate", "--graph", V2, "--dry-run", "--json"))
    state = data["state"]
    assert state["to_version"] == 2 and state["dry_run"] is True
    assert state["counts"] == {
        "migrate": 2,
        "migrated": 0,
        "current": 1,
        "skipped": 1,
        "busy": 0,
        "refused": 0,
    }
    by_thread = {item["thread_id"]: item for item in state["threads"]}
    assert set(by_thread) == {"done", "halfway", "paused"}
    assert by_thread["done"]["action"] == "migrate" and by_thread["done"]["from_version"] == 1
    assert by_thread["done"]["checkpoint_id"] == _stored(old_store, "done")[0].checkpoint.id
    assert "pending writes" in by_thread["paused"]["reason"]
    assert "migrates on load when it resumes" in by_thread["paused"]["reason"]
    assert _counts(old_store) == before
    text = invoke("--db", old_store, "--graph", V2, "migrate", "--dry-run")
    assert text.exit_code == 0 and "2 thread(s) to migrate, 1 up to date, 1 skipped" in text.stdout


def test_a_thread_waiting_mid_step_is_planned_and_left_for_its_resume(old_store: str) -> None:
    _run(old_store, graphs.build_rated_v1_rating_while_asking(), "asking", "bats")
    before = _stored(old_store, "asking")
    data = as_json(invoke("--db", old_store, "migrate", "--graph", V2, "--json"))
    by_thread = {item["thread_id"]: item for item in data["state"]["threads"]}
    assert by_thread["asking"]["action"] == "skipped"
    assert by_thread["asking"]["from_version"] == 1
    assert "its 1 finished task(s) then run again" in by_thread["asking"]["reason"]
    assert "run again" not in by_thread["paused"]["reason"]  # nothing had finished there
    assert [c.checkpoint.id for c in _stored(old_store, "asking")] == [
        c.checkpoint.id for c in before
    ]


def test_migrating_writes_a_child_with_the_migrated_state_and_keeps_history(
    old_store: str,
) -> None:
    before = {t: _stored(old_store, t) for t in ("done", "halfway", "paused", "new")}
    result = invoke("--db", old_store, "migrate", "--graph", V2, "--json")
    state = as_json(result)["state"]
    assert state["counts"]["migrated"] == 2 and state["counts"]["migrate"] == 0
    for thread in ("done", "halfway"):
        history = _stored(old_store, thread)
        assert [i.checkpoint.id for i in history[1:]] == [
            i.checkpoint.id for i in before[thread]
        ]  # the old checkpoints are all still there, unchanged
        newest, old = history[0], before[thread][0]
        assert newest.parent_config["configurable"]["checkpoint_id"] == old.checkpoint.id
        assert newest.metadata["source"] == "update"
        assert newest.metadata["state_version"] == 2 and newest.metadata["migrated_from"] == 1
        assert newest.metadata["step"] == old.metadata["step"] + 1
        assert "rating" not in newest.checkpoint.channel_values
        assert newest.checkpoint.channel_values["ratings"] == [
            old.checkpoint.channel_values["rating"]
        ]
        assert old.checkpoint.channel_values["rating"] == len(TOPICS[thread]) % 10
    assert len(_stored(old_store, "paused")) == len(before["paused"])
    assert len(_stored(old_store, "new")) == len(before["new"])
    # Nothing is left to do, and a second run writes nothing.
    again = as_json(invoke("--db", old_store, "migrate", "--graph", V2, "--json"))["state"]
    assert again["counts"] == {
        "migrate": 0,
        "migrated": 0,
        "current": 3,
        "skipped": 1,
        "busy": 0,
        "refused": 0,
    }
    assert len(_stored(old_store, "done")) == len(before["done"]) + 1


def test_a_migrated_thread_resumes_at_the_same_node(old_store: str) -> None:
    shown_before = as_json(invoke("--db", old_store, "--graph", V2, "show", "halfway", "--json"))
    assert invoke("--db", old_store, "--graph", V2, "migrate").exit_code == 0
    shown = as_json(invoke("--db", old_store, "--graph", V2, "show", "halfway", "--json"))
    assert shown["next"] == shown_before["next"] == ["summarize"]
    assert shown["values"] == shown_before["values"] == {"topic": "owls", "ratings": [4]}
    resumed = as_json(invoke("--db", old_store, "--graph", V2, "resume", "halfway", "--json"))
    assert resumed["values"]["summary"] == "owls: [4]" and resumed["next"] == []
    done = as_json(invoke("--db", old_store, "--graph", V2, "show", "done", "--json"))
    assert done["next"] == [] and done["values"]["ratings"] == [5]


def test_newer_checkpoints_refuse_the_whole_command(old_store: str) -> None:
    _run(old_store, graphs.build_rated_v3(), "newest", "ducks")
    before = _counts(old_store)
    result = invoke("--db", old_store, "migrate", "--graph", V2)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "'newest'" in result.stderr and "state version 3" in result.stderr
    assert "no state was migrated" in result.stderr
    assert _counts(old_store) == before


def test_a_failing_migration_refuses_the_whole_command(old_store: str) -> None:
    before = _counts(old_store)
    result = invoke(
        "--db", old_store, "migrate", "--graph", "tests.cli.graphs:build_rated_v2_broken"
    )
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "_broken" in result.stderr and "rating_scale" in result.stderr
    # The waiting thread is planned too (its migration runs, though it is not written).
    assert "3 thread(s) cannot be migrated" in result.stderr and "'paused'" in result.stderr
    assert _counts(old_store) == before


def test_a_graph_without_a_version_is_a_usage_error(old_store: str) -> None:
    result = invoke("--db", old_store, "migrate", "--graph", "tests.cli.graphs:build_rated_v1")
    assert result.exit_code == 2 and "declares no state version" in result.stderr
    # The group's --graph registers types for every command: without a version, the schema only.
    group = invoke("--db", old_store, "--graph", "tests.cli.graphs:build_rated_v1", "migrate")
    assert group.exit_code == 0 and "state version" not in group.stdout
    data = as_json(invoke("--db", old_store, "--graph", V2, "migrate", "--dry-run", "--json"))
    assert data["state"]["counts"]["migrate"] == 2


def test_a_thread_a_run_holds_is_skipped_as_busy(old_store: str) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from cairngraph.checkpoint.sqlite import SqliteSaver\n"
            f"saver = SqliteSaver({old_store!r})\n"
            "with saver.thread_lock('done', 5):\n"
            "    print('holding', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = invoke("--db", old_store, "migrate", "--graph", V2, "--wait", "0.2", "--json")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    state = as_json(result)["state"]
    assert state["counts"]["busy"] == 1 and state["counts"]["migrated"] == 1
    busy = next(item for item in state["threads"] if item["action"] == "busy")
    assert busy["thread_id"] == "done" and "0.2 s" in busy["reason"]
    again = as_json(invoke("--db", old_store, "migrate", "--graph", V2, "--json"))["state"]
    assert again["counts"]["migrated"] == 1 and again["counts"]["busy"] == 0


def test_migrating_a_postgres_store(old_store: str, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "rated.jsonl"
    assert invoke("--db", old_store, "export", "-o", str(out)).exit_code == 0
    assert invoke("--db", pg_url, "import", str(out)).exit_code == 0
    state = as_json(invoke("--db", pg_url, "migrate", "--graph", V2, "--json"))["state"]
    assert state["counts"]["migrated"] == 2
    shown = as_json(invoke("--db", pg_url, "--graph", V2, "show", "done", "--json"))
    assert shown["values"]["ratings"] == [5]
    rows = as_json(invoke("--db", pg_url, "history", "done", "--json"))["checkpoints"]
    assert rows[0]["source"] == "update" and len(rows) == len(_stored(old_store, "done")) + 1


def test_the_schema_part_of_the_json_is_unchanged_by_graph(old_store: str) -> None:
    plain = json.loads(invoke("--db", old_store, "migrate", "--json").stdout)
    assert "state" not in plain
    with_graph = as_json(invoke("--db", old_store, "migrate", "--graph", V2, "--json"))
    assert {k: v for k, v in with_graph.items() if k != "state"} == plain
