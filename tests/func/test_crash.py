"""SIGKILL a real process mid-entrypoint; the next process repeats no finished task."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.constants import RETURN
from tests.func._worker import THREAD

COUNT = 12


def _spawn(db: Path, side: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.func._worker", str(db), str(side), str(COUNT), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _lines(side: Path) -> list[int]:
    return [int(line) for line in side.read_text().split()] if side.exists() else []


def test_sigkill_mid_entrypoint_then_resume_runs_only_unfinished_tasks(tmp_path: Path) -> None:
    db, side = tmp_path / "crash.db", tmp_path / "side.log"
    worker = _spawn(db, side)
    deadline = time.monotonic() + 60
    while len(_lines(side)) < 5:
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        assert time.monotonic() < deadline, "the worker never reached its fifth task"
        time.sleep(0.002)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL
    before = _lines(side)
    assert len(before) < COUNT  # killed in the middle of the entrypoint

    with SqliteSaver.from_conn_string(str(db)) as saver:
        saved = saver.get_tuple(THREAD)
    assert saved is not None
    finished = sorted(value for _id, channel, value in saved.pending_writes if channel == RETURN)
    # Every task that finished and returned before the kill was saved; the one
    # running at the kill (if any) was not.
    assert finished == list(range(len(finished)))
    assert len(before) - 1 <= len(finished) <= len(before)

    resumed = _spawn(db, side, "--resume")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert out.strip() == str(list(range(COUNT)))
    again = _lines(side)[len(before) :]
    assert again == [index for index in range(COUNT) if index not in finished]


def test_sigkill_while_parallel_tasks_run_keeps_those_that_finished(tmp_path: Path) -> None:
    db, side = tmp_path / "parallel.db", tmp_path / "side.log"
    worker = _spawn(db, side, "--parallel")
    # All twelve start at once; task i needs 30 ms * (i + 1). Kill after about four finished.
    deadline = time.monotonic() + 60
    while len(_lines(side)) < COUNT:
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        assert time.monotonic() < deadline, "the worker never started its tasks"
        time.sleep(0.002)
    time.sleep(0.14)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL

    with SqliteSaver.from_conn_string(str(db)) as saver:
        saved = saver.get_tuple(THREAD)
    assert saved is not None
    finished = {value for _id, channel, value in saved.pending_writes if channel == RETURN}
    assert finished and len(finished) < COUNT  # some finished and were saved, some not

    resumed = _spawn(db, side, "--resume", "--parallel")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert out.strip() == str(list(range(COUNT)))
    again = sorted(_lines(side)[COUNT:])
    assert again == [index for index in range(COUNT) if index not in finished]
