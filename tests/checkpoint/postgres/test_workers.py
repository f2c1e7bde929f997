"""Many real worker processes on one PostgreSQL: 8 x 50 threads, and a worker killed mid-run."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from tests.checkpoint.postgres._worker import chain
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        with PostgresSaver.from_conn_string(schema_url(server, schema)) as saver:
            saver.setup()
        yield schema_url(server, schema)


def spawn(url: str, *args: str) -> subprocess.Popen[str]:
    """A worker process (``_worker.py``), its stdout and stderr readable as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.checkpoint.postgres._worker", url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_processes_fifty_threads_each_at_once(url: str) -> None:
    workers = [spawn(url, "threads", f"w{index}", "50") for index in range(8)]
    outcomes = [(worker.wait(timeout=240), worker.stderr.read()) for worker in workers]  # type: ignore[union-attr]
    assert [code for code, _ in outcomes] == [0] * 8, [err for _, err in outcomes]
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(3).compile(checkpointer=saver)
        for worker, index in itertools.product(range(8), range(50)):
            config = {"configurable": {"thread_id": f"w{worker}-{index}"}}
            history = list(app.get_state_history(config))
            assert [s.metadata["step"] for s in history] == [3, 2, 1, 0, -1]
            for child, parent in itertools.pairwise(history):
                assert child.parent_config == parent.config
            assert history[0].values["log"] == ["n00", "n01", "n02"]
            assert history[0].next == ()
        total = sum(1 for _ in saver.list(None))
    assert total == 8 * 50 * 5


def _steps_saved(saver: PostgresSaver, thread: str) -> int:
    return sum(1 for _ in saver.list({"configurable": {"thread_id": thread}}))


def test_worker_killed_mid_run_is_resumed_by_another_process(url: str) -> None:
    victim = spawn(url, "chain", "shared", "30", "50")
    assert victim.stdout is not None and victim.stdout.readline().strip() == "started"
    with PostgresSaver.from_conn_string(url) as saver:
        while _steps_saved(saver, "shared") < 5 and victim.poll() is None:
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        app = chain(30).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "shared"}}
        before = app.get_state(config)
        done = before.values["log"]
        assert 0 < len(done) < 30 and done == [f"n{i:02d}" for i in range(len(done))]
    # The killed worker's session lock is gone: another process takes the thread
    # and runs only what had not been committed.
    survivor = spawn(url, "chain", "shared", "30", "0", "--resume")
    code = survivor.wait(timeout=60)
    assert code == 0, survivor.stderr.read() if survivor.stderr else ""
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(30).compile(checkpointer=saver)
        history = list(app.get_state_history(config))
        assert history[0].values["log"] == [f"n{i:02d}" for i in range(30)]
        assert [s.metadata["step"] for s in history] == list(range(30, -2, -1))
        assert history[-(len(done) + 2)].config == before.config  # resumed from there
