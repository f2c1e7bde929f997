"""threads, history, show and diff on a store filled by running real graphs."""

from __future__ import annotations

from cairngraph.cli._diff import Change, diff, path_text
from tests.cli.helpers import NESTED, as_json, invoke


def test_threads_lists_every_thread_newest_first(store: str) -> None:
    data = as_json(invoke("--db", store, "threads", "--json"))
    rows = {row["thread_id"]: row for row in data["threads"]}
    assert set(rows) == {"t1", "t2", "r1", "n1"}
    assert data["threads"][0]["thread_id"] == "n1"  # made last
    assert rows["t1"]["checkpoints"] == 4 and rows["t1"]["step"] == 2
    assert rows["t2"]["checkpoints"] == 5  # its update_state made one more
    assert rows["t2"]["metadata"]["source"] == "update"
    assert rows["r1"]["next"] == ["review"]
    assert len(rows["n1"]["namespaces"]) == 2 and rows["n1"]["checkpoints"] > 4
    assert all(row["bytes"] > 0 for row in rows.values())


def test_threads_filter_and_table(store: str) -> None:
    data = as_json(invoke("--db", store, "threads", "--json", "--filter", "source=update"))
    assert [row["thread_id"] for row in data["threads"]] == ["t2"]
    data = as_json(
        invoke("--db", store, "threads", "--json", "--filter", "step=-1", "--limit", "2")
    )
    assert len(data["threads"]) == 2
    table = invoke("--db", store, "threads")
    assert table.exit_code == 0 and "t1" in table.stdout and "checkpoints" in table.stdout
    bad = invoke("--db", store, "threads", "--filter", "nokey")
    assert bad.exit_code == 2 and "key=value" in bad.stderr


def test_history_rows_name_nodes_next_and_changes(store: str) -> None:
    data = as_json(invoke("--db", store, "history", "t1", "--json"))
    rows = data["checkpoints"]
    assert [row["step"] for row in rows] == [2, 1, 0, -1]
    assert [row["source"] for row in rows] == ["loop", "loop", "loop", "input"]
    assert rows[0]["nodes"] == ["explain_joke"] and rows[0]["changed"] == ["explanation"]
    assert rows[1]["nodes"] == ["generate_joke"] and rows[1]["next"] == ["explain_joke"]
    assert rows[2]["changed"] == ["topic"] and rows[2]["next"] == ["generate_joke"]
    assert rows[3]["next"] == ["__start__"] and rows[3]["parent_checkpoint_id"] is None
    assert rows[0]["parent_checkpoint_id"] == rows[1]["checkpoint_id"]
    update = as_json(invoke("--db", store, "history", "t2", "--json", "--limit", "1"))
    (latest,) = update["checkpoints"]
    assert latest["source"] == "update" and latest["changed"] == ["joke"]


def test_history_with_the_graph_agrees_with_the_stored_view(store: str) -> None:
    graphs = {
        "t1": "examples.tutorial.joke_graph:build_graph",
        "r1": "tests.cli.graphs:review_graph",
    }
    for thread, graph in graphs.items():
        stored = as_json(invoke("--db", store, "history", thread, "--json"))
        exact = as_json(invoke("--db", store, "--graph", graph, "history", thread, "--json"))
        assert [r["next"] for r in exact["checkpoints"]] == [
            r["next"] for r in stored["checkpoints"]
        ]
    assert exact["checkpoints"][0]["next"] == ["review"]


def test_history_limit_filter_namespace_and_not_found(store: str) -> None:
    loops = as_json(invoke("--db", store, "history", "t1", "--json", "--filter", "source=loop"))
    assert [row["step"] for row in loops["checkpoints"]] == [2, 1, 0]
    limited = as_json(invoke("--db", store, "history", "t1", "--json", "--limit", "2"))
    assert [row["step"] for row in limited["checkpoints"]] == [2, 1]
    threads = as_json(invoke("--db", store, "threads", "--json"))
    (nested,) = [row for row in threads["threads"] if row["thread_id"] == "n1"]
    ns = next(name for name in nested["namespaces"] if name)
    inner = as_json(invoke("--db", store, "history", "n1", "--ns", ns, "--json"))
    assert [row["nodes"] for row in inner["checkpoints"]][:2] == [["inner_b"], ["inner_a"]]
    missing = invoke("--db", store, "history", "nope")
    assert missing.exit_code == 1 and "cairn threads" in missing.stderr
    wrong_ns = invoke("--db", store, "history", "t1", "--ns", "sub:x")
    assert wrong_ns.exit_code == 1 and "--ns" in wrong_ns.stderr
    table = invoke("--db", store, "history", "t1")
    assert "explain_joke" in table.stdout and "generate_joke" in table.stdout


def test_show_an_interrupted_thread(store: str) -> None:
    data = as_json(invoke("--db", store, "show", "r1", "--json"))
    assert data["values"]["draft"] == "draft about cats"
    assert data["next"] == ["review"]
    assert data["interrupts"][0][0]["value"]["question"] == "approve?"
    assert {w["channel"] for w in data["pending_writes"]} == {"__interrupt__"}
    assert data["metadata"]["step"] == 1
    with_graph = as_json(
        invoke("--db", store, "show", "r1", "--json", "--graph", "tests.cli.graphs:review_graph")
    )
    (task,) = with_graph["tasks"]
    assert task["name"] == "review" and task["interrupts"][0]["value"]["question"] == "approve?"
    assert with_graph["interrupts"][0]["value"]["draft"] == "draft about cats"


def test_show_an_older_checkpoint_by_prefix_and_errors(store: str) -> None:
    rows = as_json(invoke("--db", store, "history", "t1", "--json"))["checkpoints"]
    oldest = rows[-1]["checkpoint_id"]
    data = as_json(invoke("--db", store, "show", "t1", rows[2]["checkpoint_id"], "--json"))
    assert data["values"] == {"topic": "cats"}
    assert {w["channel"] for w in data["pending_writes"]} >= {"joke"}
    ids = [row["checkpoint_id"] for row in rows]
    size = next(n for n in range(1, 37) if sum(i.startswith(oldest[:n]) for i in ids) == 1)
    by_prefix = as_json(invoke("--db", store, "show", "t1", oldest[:size], "--json"))
    assert by_prefix["checkpoint_id"] == oldest
    ambiguous = invoke("--db", store, "show", "t1", oldest[:8])
    assert ambiguous.exit_code == 1 and "give more of the id" in ambiguous.stderr
    unknown = invoke("--db", store, "show", "t1", "zzzz")
    assert unknown.exit_code == 1 and "cairn history t1" in unknown.stderr
    table = invoke("--db", store, "show", "t1")
    assert "explanation" in table.stdout and "metadata" in table.stdout


def test_diff_between_two_checkpoints(store: str) -> None:
    rows = as_json(invoke("--db", store, "history", "t1", "--json"))["checkpoints"]
    data = as_json(
        invoke("--db", store, "diff", "t1", rows[2]["checkpoint_id"], "latest", "--json")
    )
    changes = {tuple(c["path"]): c for c in data["changes"]}
    assert set(changes) == {("joke",), ("explanation",)}
    assert changes[("joke",)]["kind"] == "added"
    update = as_json(invoke("--db", store, "history", "t2", "--json"))["checkpoints"]
    data = as_json(
        invoke(
            "--db",
            store,
            "diff",
            "t2",
            update[1]["checkpoint_id"],
            update[0]["checkpoint_id"],
            "--json",
        )
    )
    assert data["changes"] == [
        {
            "path": ["joke"],
            "kind": "changed",
            "old": data["changes"][0]["old"],
            "new": "a better joke",
        }
    ]
    assert data["changes"][0]["old"].startswith("Why did the dogs")


def test_diff_of_appended_lists_in_a_subgraph_thread(store: str) -> None:
    rows = as_json(invoke("--db", store, "--graph", NESTED, "history", "n1", "--json"))
    first, last = rows["checkpoints"][-1]["checkpoint_id"], rows["checkpoints"][0]["checkpoint_id"]
    data = as_json(invoke("--db", store, "diff", "n1", first, last, "--json"))
    kinds = {tuple(c["path"]): (c["kind"], c["new"]) for c in data["changes"]}
    assert kinds[("steps",)] == ("added", ["a", "b", "after"])
    middle = rows["checkpoints"][1]["checkpoint_id"]
    data = as_json(invoke("--db", store, "diff", "n1", middle, last, "--json"))
    assert data["changes"] == [
        {"path": ["steps"], "kind": "appended", "old": None, "new": ["after"]}
    ]


def test_diff_nested_values() -> None:
    old = {"a": {"x": 1, "y": [1, 2]}, "gone": 1, "same": "s", "list": [{"k": 1}]}
    new = {"a": {"x": 2, "y": [1, 2, 3], "z": True}, "same": "s", "list": [{"k": 2}], "b": None}
    assert diff(old, new) == [
        Change(path=("a", "x"), kind="changed", old=1, new=2),
        Change(path=("a", "y"), kind="appended", new=[3]),
        Change(path=("a", "z"), kind="added", new=True),
        Change(path=("b",), kind="added", new=None),
        Change(path=("gone",), kind="removed", old=1),
        Change(path=("list", 0, "k"), kind="changed", old=1, new=2),
    ]
    assert diff({"n": 1}, {"n": True}) == [Change(path=("n",), kind="changed", old=1, new=True)]
    assert diff({"l": [1, 2]}, {"l": [2]}) == [
        Change(path=("l",), kind="changed", old=[1, 2], new=[2])
    ]
    assert path_text(("messages", 3, "content")) == "messages[3].content"
