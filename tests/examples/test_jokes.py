"""The README's demo, ``python -m examples.jokes``, as a new user runs it (offline)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", **env}
    if "GROQ_API_KEY" not in env:
        environment.pop("GROQ_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "examples.jokes", "--db", str(tmp_path / "jokes.db"), *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_first_run_tells_and_explains_a_joke_and_shows_history(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "offline model (set GROQ_API_KEY to use Groq)" in out
    assert "Joke:        Why did the chickens crossing the road" in out
    assert "Explanation: It sets up" in out
    assert "State history (4 checkpoints, newest first):" in out
    assert re.search(r"^2\s+loop\s+explain_joke\s+-\s+explanation", out, re.M)
    assert re.search(r"^1\s+loop\s+generate_joke\s+explain_joke\s+joke", out, re.M)
    assert re.search(r"^-1\s+input\s+-\s+__start__", out, re.M)
    assert "--resume" in out and "--fork" in out


def test_second_run_shows_the_saved_thread_then_forks(tmp_path: Path) -> None:
    run(tmp_path)
    again = run(tmp_path)
    assert "already has a run (finished" in again.stdout
    assert "State history (4 checkpoints" in again.stdout
    checkpoint = re.search(r"--fork ([0-9a-f-]{36})", again.stdout)
    assert checkpoint is not None
    forked = run(tmp_path, "--fork", checkpoint.group(1))
    assert forked.returncode == 0, forked.stderr
    assert "Replaying from checkpoint" in forked.stdout
    assert re.search(r"^\d+\s+fork\s", forked.stdout, re.M)


def test_llm_failure_is_clear_and_the_run_resumes(tmp_path: Path) -> None:
    failed = run(tmp_path, GROQ_API_KEY="gsk_test", GROQ_BASE_URL="http://127.0.0.1:9")
    assert failed.returncode == 2
    assert "cannot reach Groq" in failed.stderr
    assert "--resume" in failed.stderr
    resumed = run(tmp_path, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from step 0 (generate_joke)" in resumed.stdout
    assert "Explanation: It sets up" in resumed.stdout


def test_the_closing_cairn_hints_run_as_printed(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    hints = re.findall(r"^  [a-z' ]+:\s+(cairn --db .+)$", result.stdout, re.M)
    assert [hint.split()[3] for hint in hints] == [
        "threads",
        "history",
        "show",
        "diff",
        "fork",
        "verify",
    ]
    environment = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    for hint in hints:
        done = subprocess.run(
            [sys.executable, "-m", "cairngraph.cli", *shlex.split(hint)[1:]],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (hint, done.stderr)
        assert done.stdout.strip(), hint
