"""Many real processes on one PostgreSQL: setup races, 8 x 50 threads, SIGKILL, schema refusal."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import psycopg
import pytest

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.errors import SchemaVersionError
from tests.checkpoint.postgres._worker import chain
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_schema() as (server, schema):
        yield schema_url(server, schema)


def _spawn(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.checkpoint.postgres._worker", url, *args],
        stderr=subprocess.PIPE,
        text=True,
    )


def test_setup_from_many_processes_at_once(url: str) -> None:
    workers = [_spawn(url, "setup") for _ in range(6)]
    assert [worker.wait(timeout=60) for worker in workers] == [0] * 6
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM cairn_schema").fetchone() == (1,)


def test_newer_schema_is_refused(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO cairn_schema (version, name) VALUES (999, 'future')")
    with (
        PostgresSaver.from_conn_string(url) as saver,
        pytest.raises(SchemaVersionError, match="newer cairngraph"),
    ):
        saver.setup()


def test_eight_processes_fifty_threads_each(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
    workers = [_spawn(url, "threads", f"w{index}", "50") for index in range(8)]
    codes = [worker.wait(timeout=240) for worker in workers]
    assert codes == [0] * 8, [w.stderr.read() for w in workers if w.stderr]
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(3, 0).compile(checkpointer=saver)
        for worker, index in itertools.product(range(8), range(50)):
            config = {"configurable": {"thread_id": f"w{worker}-{index}"}}
            history = list(app.get_state_history(config))
            assert [s.metadata["step"] for s in history] == [3, 2, 1, 0, -1]
            for child, parent in itertools.pairwise(history):
                assert child.parent_config == parent.config
            assert history[0].values["log"] == ["n00", "n01", "n02"]


def test_killed_worker_releases_its_thread(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
    victim = _spawn(url, "chain", "shared", "30", "60")
    time.sleep(1.5)
    assert victim.poll() is None
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(30, 0).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "shared"}}
        done_before = len(app.get_state(config).values.get("log", []))
        assert 0 < done_before < 30
    survivor = _spawn(url, "chain", "shared", "30", "0", "--resume")
    assert survivor.wait(timeout=60) == 0, survivor.stderr.read() if survivor.stderr else ""
    with PostgresSaver.from_conn_string(url) as saver:
        app = chain(30, 0).compile(checkpointer=saver)
        state = app.get_state({"configurable": {"thread_id": "shared"}})
        assert state.values["log"] == [f"n{i:02d}" for i in range(30)]


def test_saver_over_a_plain_connection(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        app = chain(3, 0).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "plain"}}
        assert app.invoke({"log": []}, config)["log"] == ["n00", "n01", "n02"]
        assert len(list(app.get_state_history(config))) == 5
    with psycopg.connect(url) as conn:  # not in autocommit: each operation is a transaction
        app = chain(3, 0).compile(checkpointer=PostgresSaver(conn))
        assert app.get_state(config).values["log"] == ["n00", "n01", "n02"]
        app.invoke({"log": []}, {"configurable": {"thread_id": "plain-2"}})
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT count(*) FROM cairn_checkpoints").fetchone()
        assert rows == (10,)
