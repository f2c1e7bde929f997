"""``python -m examples.agent``: a thread paused for approval, resumed by a second process."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    environment.pop("GROQ_API_KEY", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "examples.agent", "--db", str(tmp_path / "agent.db"), *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pauses_for_approval_and_a_second_process_finishes(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "offline scripted model (set GROQ_API_KEY" in out
    assert "paused: the agent wants to book_meeting 'Sync' on monday at 09:00" in out
    assert re.search(
        r"second process: thread 'meeting-1' is waiting at step \d+ for \('tools',\)", out
    )
    assert "agent: Done: Booked 'Sync' on monday at 09:00." in out
    rows = re.findall(r"^  step\s+(\d+)\s+(\w+)\s+(.*?)\s+-> (.*)$", out, re.M)
    assert [(name, outcome) for _, name, _, outcome in rows] == [
        ("check_calendar", '{"day": "monday", "free": ["09:00", "14:00"]}'),
        ("book_meeting", "Booked 'Sync' on monday at 09:00."),
    ]
    with sqlite3.connect(tmp_path / "agent.db") as db:
        tables = {
            name for (name,) in db.execute("select name from sqlite_master where type='table'")
        }
    assert any(name.startswith("cairn_") for name in tables)


def test_a_refusal_is_reported_to_the_model(tmp_path: Path) -> None:
    result = run(tmp_path, "--answer", "no")
    assert result.returncode == 0, result.stderr
    assert "agent: Done: Not booked: the human said 'no'." in result.stdout


def test_resume_on_a_thread_that_is_not_waiting_says_so(tmp_path: Path) -> None:
    run(tmp_path)
    again = run(tmp_path, "--resume")
    assert again.returncode == 1
    assert "is not waiting for an approval" in again.stdout


def test_a_groq_key_without_langchain_groq_runs_offline_and_says_why(tmp_path: Path) -> None:
    result = run(tmp_path, GROQ_API_KEY="gsk_test")
    assert result.returncode == 0, result.stderr
    assert "langchain-groq is not installed (pip install langchain-groq)" in result.stdout
