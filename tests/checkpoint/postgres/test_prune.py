"""PostgreSQL's batch prune and the run lock: a run of another session, or of this process
on the same connection, keeps its thread out of the batch; the rest is pruned."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import Checkpoint
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.errors import ThreadBusyError
from tests.postgres_server import fresh_schema, schema_url

_MY_ADVISORY_LOCKS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
)


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def _fill(saver: PostgresSaver, thread: str, steps: int) -> None:
    """``steps`` checkpoints, each a new big ``page`` and a shared ``title``."""
    parent: Any = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    for step in range(steps):
        item = Checkpoint(
            id=new_checkpoint_id(),
            ts="2026-01-01T00:00:00+00:00",
            channel_values={"page": f"{thread}{step}" + "p" * 600, "title": "t" * 700},
            channel_versions={"page": step + 1, "title": 1},
            versions_seen={},
        )
        new = {"page": step + 1, "title": 1} if step == 0 else {"page": step + 1}
        parent = saver.put(parent, item, {"source": "loop", "step": step}, new)  # type: ignore[arg-type]


def _count(saver: PostgresSaver, thread: str) -> int:
    return len(list(saver.list({"configurable": {"thread_id": thread}})))


def test_a_thread_another_session_runs_is_left_out_of_the_batch(url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.checkpoint.postgres._worker", url, "hold", "t1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with PostgresSaver.from_conn_string(url) as saver:
            saver.setup()
            for thread in ("t0", "t1", "t2"):
                _fill(saver, thread, 4)
            with pytest.raises(ThreadBusyError, match=r"'t1' \(1 of 3\)"):
                saver.prune(["t0", "t1", "t2"], wait=0.2)
            assert [_count(saver, t) for t in ("t0", "t1", "t2")] == [1, 4, 1]
            assert saver.verify().ok
            holder.kill()
            holder.wait()
            saver.prune(["t1"], wait=30)  # the dead session's lock went with it
            assert _count(saver, "t1") == 1
            assert saver.get_tuple({"configurable": {"thread_id": "t1"}}) is not None
            assert saver.verify().ok
    finally:
        holder.kill()
        holder.wait()


def test_a_run_on_the_same_connection_keeps_its_thread_and_its_lock(url: str) -> None:
    # Session locks are re-entrant: the prune's transaction-scoped lock on the run's own
    # connection would be granted, so the process's claims must keep the thread out.
    with psycopg.connect(url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        for thread in ("running", "idle"):
            _fill(saver, thread, 3)
        entered, release = threading.Event(), threading.Event()

        def run() -> None:
            with saver.thread_lock("running", 5):
                entered.set()
                release.wait(10)

        runner = threading.Thread(target=run)
        runner.start()
        try:
            assert entered.wait(5)
            with pytest.raises(ThreadBusyError, match="'running'"):
                saver.prune(["running", "idle"], wait=0.1)
            assert (_count(saver, "running"), _count(saver, "idle")) == (3, 1)
            # The run still holds its thread.
            with pytest.raises(ThreadBusyError), saver.thread_lock("running", 0.1):
                pass
        finally:
            release.set()
            runner.join()
        saver.prune(["running", "idle"], wait=5)
        assert (_count(saver, "running"), _count(saver, "idle")) == (1, 1)
        # The batch's transaction-scoped locks went with its commit: none is left.
        assert conn.execute(_MY_ADVISORY_LOCKS).fetchone() == (0,)
        assert saver.verify().ok
