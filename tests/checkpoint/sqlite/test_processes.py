"""Real processes on one SQLite file: SIGKILL at random moments, and two runs of one thread."""

from __future__ import annotations

import itertools
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver
from tests.checkpoint.sqlite._worker import build

NODES = 40


def _spawn(db: Path, thread: str, run_id: str, side: Path, *extra: str, sleep_ms: float = 8):
    command = [
        sys.executable,
        "-m",
        "tests.checkpoint.sqlite._worker",
        str(db),
        thread,
        run_id,
        str(side),
        str(NODES),
        str(sleep_ms),
        *extra,
    ]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True)


def test_sigkill_at_random_moments_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    db, side = tmp_path / "crash.db", tmp_path / "side.log"
    rng = random.Random(20261124)
    kills = 0
    for run in range(30):
        if kills >= 8:
            break
        done_before = len(side.read_text().split()) if side.exists() else 0
        worker = _spawn(db, "crash", str(run), side, *(["--resume"] if db.exists() else []))
        # Kill after a random number of further node executions: always mid-run.
        target = done_before + rng.randint(1, 6)
        while worker.poll() is None:
            if side.exists() and len(side.read_text().split()) >= target:
                time.sleep(rng.uniform(0, 0.008))
                worker.send_signal(signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.002)
        worker.wait()
    final = _spawn(db, "crash", "final", side, "--resume" if db.exists() else "--lock-timeout=60")
    assert final.wait(timeout=120) == 0, final.stderr.read() if final.stderr else ""
    assert kills >= 5

    with SqliteSaver.from_conn_string(str(db)) as saver:
        app = build(NODES, "check", str(side), 0).compile(checkpointer=saver)
        state = app.get_state({"configurable": {"thread_id": "crash"}})
        assert state.values["log"] == [f"n{i:02d}" for i in range(NODES)]
        assert state.next == ()
        steps = [
            s.metadata["step"]
            for s in app.get_state_history({"configurable": {"thread_id": "crash"}})
        ]
        assert steps == list(range(NODES, -2, -1))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    lines = side.read_text().split()
    runs: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        run_id, node = line.split(":")
        runs[run_id].append(node)
    seen: dict[str, list[str]] = defaultdict(list)
    for run_id, nodes in runs.items():
        for node in nodes:
            seen[node].append(run_id)
    for node, where in seen.items():
        # A node runs again only if it was the step in flight when its run was killed:
        # then it is the last thing that run did.
        for run_id in where[:-1]:
            assert runs[run_id][-1] == node, (node, where)


def test_two_processes_on_one_thread_never_interleave(tmp_path: Path) -> None:
    db, side = tmp_path / "lock.db", tmp_path / "side.log"
    SqliteSaver(db).close()
    # The first run lasts 40 x 200 ms; the others start at once (a loaded machine takes
    # a second or more, seen up to three, to start a Python process), so they meet it
    # while it runs.
    first = _spawn(db, "shared", "first", side, sleep_ms=200)
    time.sleep(0.4)
    assert first.poll() is None
    busy = _spawn(db, "shared", "busy", side, "--lock-timeout=0.1")
    other = _spawn(db, "elsewhere", "other", side, "--lock-timeout=0.1", sleep_ms=1)
    assert busy.wait(timeout=60) == 3
    assert "'shared'" in (busy.stderr.read() if busy.stderr else "")
    waiter = _spawn(db, "shared", "second", side, "--lock-timeout=60", sleep_ms=1)
    assert other.wait(timeout=60) == 0
    assert first.wait(timeout=60) == 0 and waiter.wait(timeout=60) == 0

    runs = [line.split(":")[0] for line in side.read_text().split()]
    shared = [run for run in runs if run in ("first", "second")]
    assert shared == ["first"] * NODES + ["second"] * NODES
    # The other thread ran while the first held its own thread: its steps land
    # between the first run's steps.
    last_first = max(i for i, run in enumerate(runs) if run == "first")
    assert runs.index("other") < last_first
    with SqliteSaver.from_conn_string(str(db)) as saver:
        config = {"configurable": {"thread_id": "shared"}}
        history = list(saver.list(config))
        for child, parent in itertools.pairwise(history):
            assert child.parent_config == parent.config
        assert len(history) == 2 * (NODES + 2)
