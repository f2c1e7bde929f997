"""The command as a user's shell runs it: real processes of ``python -m cairngraph.cli``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.helpers import REVIEW, process


def test_help_lists_every_command() -> None:
    result = process("--help")
    assert result.returncode == 0, result.stderr
    for name in (
        "threads",
        "history",
        "show",
        "diff",
        "fork",
        "delete",
        "verify",
        "export",
        "import",
        "stats",
        "run",
        "resume",
        "answer",
        "ui",
    ):
        assert name in result.stdout


def test_read_commands_in_a_process(store: str) -> None:
    result = process("--db", store, "threads", "--json")
    assert result.returncode == 0, result.stderr
    assert {t["thread_id"] for t in json.loads(result.stdout)["threads"]} == {
        "t1",
        "t2",
        "r1",
        "n1",
    }
    table = process("history", "t1", env={"CAIRN_DB": store})
    assert table.returncode == 0 and "generate_joke" in table.stdout


def test_errors_are_one_line_with_their_exit_codes(tmp_path: Path, store: str) -> None:
    missing = process("--db", str(tmp_path / "none.db"), "show", "t1")
    assert missing.returncode == 3
    assert missing.stderr.startswith("Error: ") and missing.stderr.count("\n") == 1
    assert not (tmp_path / "none.db").exists()
    not_found = process("--db", store, "show", "nope")
    assert not_found.returncode == 1 and "Traceback" not in not_found.stderr
    usage = process("--db", store, "history")
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(Path(store).read_bytes()[:4096] + b"\0" * 100)
    damaged = process("--db", str(corrupt), "threads")
    assert damaged.returncode == 3 and "Traceback" not in damaged.stderr
    assert damaged.stderr.count("\n") == 1


def test_unregistered_types_say_to_pass_the_graph(tmp_path: Path) -> None:
    db = str(tmp_path / "typed.db")
    made = process(
        "--db",
        db,
        "--graph",
        "tests.cli.graphs:build_typed",
        "run",
        "--input",
        "{}",
        "--thread",
        "t",
    )
    assert made.returncode == 0, made.stderr
    result = process("--db", db, "show", "t")
    assert (
        result.returncode == 3 and "--graph" in result.stderr and "Traceback" not in result.stderr
    )
    shown = process("--db", db, "--graph", "tests.cli.graphs:build_typed", "show", "t", "--json")
    assert json.loads(shown.stdout)["values"]["order"] == {"item": "pens", "quantity": 3}


def test_run_answer_export_import_across_processes(tmp_path: Path, pg_url: str) -> None:
    db = str(tmp_path / "runs.db")
    ran = process(
        "--db", db, "--graph", REVIEW, "run", "--input", '{"draft": "owls"}', "--thread", "r"
    )
    assert ran.returncode == 0, ran.stderr
    assert "cairn answer r VALUE" in ran.stdout
    answered = process("--db", db, "--graph", REVIEW, "answer", "r", "approved", "--json")
    assert json.loads(answered.stdout)["values"]["verdict"] == "approved"
    exported = process("--db", db, "export")
    assert exported.returncode == 0, exported.stderr
    imported = process("--db", pg_url, "import", "-", "--json", input=exported.stdout)
    assert json.loads(imported.stdout) == {"threads": 1, "checkpoints": 4}
    here = json.loads(process("--db", db, "history", "r", "--json").stdout)
    there = json.loads(process("--db", pg_url, "history", "r", "--json").stdout)
    assert here == there


def test_delete_without_yes_reads_the_answer_from_stdin(store: str) -> None:
    kept = process("--db", store, "delete", "t1", input="n\n")
    assert kept.returncode == 1
    gone = process("--db", store, "delete", "t1", input="y\n")
    assert gone.returncode == 0, gone.stderr
    with sqlite3.connect(store) as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM cairn_checkpoints WHERE thread_id = 't1'"
        ).fetchone() == (0,)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from cairngraph.cli._open import load_graph, open_saver
    from tests.cli.helpers import JOKES, ROOT

    store = str(tmp_path / "many.db")
    with open_saver(store, read_only=False) as saver:  # an export far bigger than a pipe's buffer
        graph = load_graph(JOKES, saver)
        for number in range(60):
            graph.invoke(
                {"topic": f"topic {number}"}, {"configurable": {"thread_id": f"t{number}"}}
            )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "cairngraph.cli", "--db", store, "export"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        errors = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert b"cairngraph-threads" in first
    assert code == 1 and errors == b""


def test_graphs_load_from_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "mygraph.py").write_text(
        "from examples.tutorial.joke_graph import build_graph\nworkflow = build_graph().compile()\n"
    )
    (tmp_path / "brokengraph.py").write_text("raise RuntimeError('boom at import')\n")
    ran = process(
        "--db",
        "here.db",
        "--graph",
        "mygraph:workflow",
        "run",
        "--input",
        '{"topic": "x"}',
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "here.db").exists()
    broken = process("--db", "here.db", "--graph", "brokengraph:g", "threads", cwd=tmp_path)
    assert broken.returncode == 2 and "boom at import" in broken.stderr
    assert broken.stderr.count("\n") == 1
