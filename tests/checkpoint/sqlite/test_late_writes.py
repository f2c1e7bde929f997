"""A run in another process whose thread is deleted under it: refused, never re-created."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver

NODES = 40


def test_a_run_in_another_process_cannot_bring_its_deleted_thread_back(tmp_path: Path) -> None:
    db, side = tmp_path / "late.db", tmp_path / "side.log"
    SqliteSaver(db).close()
    command = [sys.executable, "-m", "tests.checkpoint.sqlite._worker", str(db), "doomed", "run",
               str(side), str(NODES), "50"]  # fmt: skip
    worker = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    config = {"configurable": {"thread_id": "doomed"}}
    with SqliteSaver.from_conn_string(str(db)) as saver:
        deadline = time.monotonic() + 60
        while len(list(saver.list(config))) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.poll() is None, "the run ended before it could be deleted under it"
        saver.delete_thread("doomed")
        assert worker.wait(timeout=60) != 0
        assert worker.stderr is not None
        error = worker.stderr.read()
        assert "ThreadDeletedError" in error and "'doomed'" in error, error
        assert list(saver.list(config)) == []
        assert saver.verify().ok
        finished = side.read_text().split()
        assert 0 < len(finished) < NODES
