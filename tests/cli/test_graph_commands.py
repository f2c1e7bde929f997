"""run, resume, answer (with --graph) and ui, over real graphs and stores."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import JOKES, REVIEW, as_json, invoke


def test_run_a_graph_into_a_new_store(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    data = as_json(
        invoke(
            "--db",
            db,
            "--graph",
            JOKES,
            "run",
            "--input",
            '{"topic": "owls"}',
            "--thread",
            "o1",
            "--json",
        )
    )
    assert data["thread_id"] == "o1" and data["next"] == [] and "owls" in data["values"]["joke"]
    history = as_json(invoke("--db", db, "history", "o1", "--json"))
    assert [row["step"] for row in history["checkpoints"]] == [2, 1, 0, -1]
    fresh = as_json(
        invoke("--db", db, "run", "--graph", JOKES, "--input", '{"topic": "eels"}', "--json")
    )
    assert fresh["thread_id"] != "o1" and "eels" in fresh["values"]["topic"]


def test_run_stops_at_an_interrupt_and_answer_resumes_it(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    first = invoke(
        "--db", db, "--graph", REVIEW, "run", "--input", '{"draft": "owls"}', "--thread", "r"
    )
    assert first.exit_code == 0, first.stderr
    assert "waiting for an answer" in first.stdout and "cairn answer r VALUE" in first.stdout
    shown = as_json(invoke("--db", db, "show", "r", "--json"))
    assert shown["next"] == ["review"] and shown["interrupts"]
    answered = as_json(invoke("--db", db, "--graph", REVIEW, "answer", "r", "yes", "--json"))
    assert answered["values"]["verdict"] == "yes" and answered["next"] == []
    assert answered["values"]["notes"] == ["drafted", "reviewed: yes"]
    again = invoke(
        "--db", db, "--graph", REVIEW, "run", "--input", '{"draft": "x"}', "--thread", "q"
    )
    assert again.exit_code == 0
    as_json_value = as_json(
        invoke("--db", db, "--graph", REVIEW, "answer", "q", '{"ok": true}', "--json")
    )
    assert (
        as_json_value["values"]["verdict"] == "{'ok': True}"
    )  # parsed as JSON, then str() by the node
    nothing = invoke("--db", db, "--graph", REVIEW, "answer", "q", "again")
    assert nothing.exit_code == 2 and "not waiting on an interrupt" in nothing.stderr


def test_a_failing_node_is_one_line_and_resume_continues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "runs.db")
    flag = tmp_path / "fail"
    flag.write_text("1")
    monkeypatch.setenv("CAIRN_TEST_FAIL", str(flag))
    failed = invoke(
        "--db",
        db,
        "--graph",
        "tests.cli.graphs:build_flaky",
        "run",
        "--input",
        "{}",
        "--thread",
        "f",
    )
    assert failed.exit_code == 4
    assert "failed on purpose" in failed.stderr and "cairn resume f" in failed.stderr
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    flag.unlink()
    resumed = as_json(
        invoke("--db", db, "--graph", "tests.cli.graphs:build_flaky", "resume", "f", "--json")
    )
    assert resumed["values"] == {"count": 2} and resumed["next"] == []


def test_a_graph_error_of_cairngraph_is_exit_4(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    result = invoke("--db", db, "--graph", "tests.cli.graphs:build_loop", "run", "--input", "{}")
    assert result.exit_code == 4, result.stderr
    assert "recursion" in result.stderr.lower() and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("nomodule", "module:attr"),
        ("tests.cli.no_such_module:graph", "cannot import module"),
        ("tests.cli.graphs:missing", "no attribute"),
        ("tests.cli.graphs:not_a_graph", "not a graph"),
        ("examples.jokes.workflow:build", "needs arguments (model, checkpointer)"),
        ("tests.cli.graphs:build_invalid", "nowhere"),
    ],
)
def test_bad_graph_specs_are_usage_errors(tmp_path: Path, spec: str, words: str) -> None:
    result = invoke("--db", str(tmp_path / "x.db"), "--graph", spec, "run", "--input", "{}")
    assert result.exit_code == 2 and words in result.stderr
    assert result.stderr.count("\n") == 1


def test_graph_commands_need_a_graph_and_json_input(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "x.db"), "run", "--input", "{}")
    assert result.exit_code == 2 and "--graph" in result.stderr
    result = invoke("--db", str(tmp_path / "x.db"), "--graph", JOKES, "run", "--input", "{topic")
    assert result.exit_code == 2 and "not JSON" in result.stderr


def test_ui_hands_its_options_to_the_inspector(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def serve(
        db: str, *, graph: str | None, blobs: str | None, host: str, port: int, read_only: bool
    ) -> None:
        calls.append(
            {"db": db, "graph": graph, "blobs": blobs, "host": host, "port": port}
            | {"read_only": read_only}
        )

    # The inspector is another engineer's package: stand its entry point in for this wiring test.
    inspector = types.ModuleType("cairngraph.inspector")
    inspector.serve = serve  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cairngraph.inspector", inspector)
    result = invoke("--db", store, "--graph", JOKES, "ui", "--port", "9999", "--read-only")
    assert result.exit_code == 0, result.stderr
    assert calls == [
        {"db": store, "graph": JOKES, "blobs": None, "host": "127.0.0.1", "port": 9999}
        | {"read_only": True}
    ]
    result = invoke("ui", "--db", store, "--host", "0.0.0.0", "--blobs", "some/dir")
    assert calls[-1] == {
        "db": store,
        "graph": None,
        "blobs": "some/dir",
        "host": "0.0.0.0",
        "port": 8765,
        "read_only": False,
    }
