"""``cairn fork --ns``: fork at a subgraph's checkpoint; resuming the new thread continues
the subgraph from there, in the same namespace, one or two levels deep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cairngraph.checkpoint.sqlite import SqliteSaver
from tests.cli import graphs
from tests.cli.helpers import NESTED, as_json, invoke

TWO = "tests.cli.graphs:build_two_levels"


def _store(tmp_path: Path, builder: Any, thread: str) -> str:
    path = str(tmp_path / "nested.db")
    with SqliteSaver.from_conn_string(path) as saver:
        builder().compile(checkpointer=saver).invoke(
            {"topic": "x"}, {"configurable": {"thread_id": thread}}
        )
    return path


def _spaces(path: str, thread: str) -> dict[str, list[Any]]:
    """Each namespace of the thread and its checkpoints, newest first, as stored."""
    found: dict[str, list[Any]] = {}
    with SqliteSaver.from_conn_string(path, read_only=True) as saver:
        for item in saver.list_eager({"configurable": {"thread_id": thread}}):
            found.setdefault(item.config["configurable"]["checkpoint_ns"], []).append(item)
    return found


def _after(items: list[Any], step: int) -> Any:
    return next(item for item in items if item.metadata["step"] == step)


def test_fork_at_a_subgraph_checkpoint_resumes_the_subgraph_there(tmp_path: Path) -> None:
    db = _store(tmp_path, graphs.build_nested, "n")
    source = _spaces(db, "n")
    (ns,) = [name for name in source if name]
    target = _after(source[ns], 1)  # inner_a ran; inner_b is next
    forked = as_json(
        invoke("--db", db, "fork", "n", target.checkpoint.id, "--ns", ns, "--to", "n2", "--json")
    )
    assert forked["checkpoint_ns"] == ns and forked["checkpoint_id"] == target.checkpoint.id
    copied = _spaces(db, "n2")
    assert set(copied) == {"", ns}
    assert [i.checkpoint.id for i in copied[ns]] == [
        i.checkpoint.id for i in source[ns] if i.checkpoint.id <= target.checkpoint.id
    ]
    parent = target.metadata["parents"][""]
    assert copied[""][0].checkpoint.id == parent  # the root step that ran the subgraph
    task = ns.rpartition(":")[2]
    assert task in {w.task_id for w in _after(source[""], 0).pending_writes}
    assert task not in {w.task_id for w in copied[""][0].pending_writes}
    assert forked["checkpoints"] == sum(len(items) for items in copied.values())
    # The source thread is as it was.
    assert {k: len(v) for k, v in _spaces(db, "n").items()} == {
        k: len(v) for k, v in source.items()
    }
    resumed = as_json(invoke("--db", db, "--graph", NESTED, "resume", "n2", "--json"))
    assert resumed["values"]["steps"] == ["a", "b", "after"] and resumed["next"] == []
    after = _spaces(db, "n2")
    assert set(after) == {"", ns}  # the same namespace: the task got the same id
    assert len(after[ns]) == len(copied[ns]) + 1  # only inner_b ran again, not inner_a


def test_fork_two_levels_down(tmp_path: Path) -> None:
    db = _store(tmp_path, graphs.build_two_levels, "t")
    source = _spaces(db, "t")
    inner = next(name for name in source if "|" in name)
    middle = inner.partition("|")[0]
    target = _after(source[inner], 1)  # deep_a ran; deep_b is next
    result = invoke("--db", db, "fork", "t", target.checkpoint.id[:30], "--ns", inner, "--to", "t2")
    assert result.exit_code == 0, result.stderr
    assert f"forked t at {target.checkpoint.id}" in result.stdout
    copied = _spaces(db, "t2")
    assert set(copied) == {"", middle, inner}
    anchor = target.metadata["parents"][middle]
    assert copied[middle][0].checkpoint.id == anchor
    assert inner.rpartition(":")[2] not in {w.task_id for w in copied[middle][0].pending_writes}
    resumed = as_json(invoke("--db", db, "--graph", TWO, "resume", "t2", "--json"))
    assert resumed["values"]["steps"] == ["deep_a", "deep_b", "m_after", "after"]
    after = _spaces(db, "t2")
    assert set(after) == {"", middle, inner}
    assert len(after[inner]) == len(copied[inner]) + 1  # deep_b only
    assert len(after[middle]) > len(copied[middle])  # the middle graph went on to m_after


def test_fork_ns_refusals_are_one_line(tmp_path: Path) -> None:
    db = _store(tmp_path, graphs.build_nested, "n")
    (ns,) = [name for name in _spaces(db, "n") if name]
    wrong = invoke("--db", db, "fork", "n", "latest", "--ns", "nope:1", "--to", "x")
    assert wrong.exit_code == 1 and "no checkpoints in namespace 'nope:1'" in wrong.stderr
    assert wrong.stderr.count("\n") == 1
    made = invoke("--db", db, "fork", "n", "latest", "--ns", ns, "--to", "n2")
    assert made.exit_code == 0, made.stderr
    again = invoke("--db", db, "fork", "n", "latest", "--ns", ns, "--to", "n2")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_history_lists_each_steps_subgraphs_one_level_down(tmp_path: Path) -> None:
    db = _store(tmp_path, graphs.build_two_levels, "t")
    source = _spaces(db, "t")
    inner = next(name for name in source if "|" in name)
    middle = inner.partition("|")[0]
    rows = as_json(invoke("--db", db, "history", "t", "--json"))["checkpoints"]
    ran = source[middle][0].metadata["parents"][""]
    for row in rows:
        expected = [{"checkpoint_ns": middle, "checkpoints": len(source[middle])}]
        assert row["subgraphs"] == (expected if row["checkpoint_id"] == ran else [])
    mid_rows = as_json(invoke("--db", db, "history", "t", "--ns", middle, "--json"))
    ran_inner = source[inner][0].metadata["parents"][middle]
    for row in mid_rows["checkpoints"]:
        expected = [{"checkpoint_ns": inner, "checkpoints": len(source[inner])}]
        assert row["subgraphs"] == (expected if row["checkpoint_id"] == ran_inner else [])
    table = invoke("--db", db, "history", "t")
    assert "subgraphs of its step" in table.stdout and f"({len(source[middle])})" in table.stdout
    plain = invoke("--db", db, "history", "t", "--ns", inner)
    assert plain.exit_code == 0 and "subgraphs of its step" not in plain.stdout
