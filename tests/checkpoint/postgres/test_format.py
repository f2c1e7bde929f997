"""Storage format 2 on the real server: damage named, filters as elsewhere, values freed safely."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import BaseCheckpointSaver, Checkpoint
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.postgres import PostgresSaver, _driver
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import CorruptDataError, StorageUnavailableError
from tests.postgres_server import fresh_schema, schema_url


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


@pytest.fixture
def saver(url: str) -> Iterator[PostgresSaver]:
    with PostgresSaver.from_conn_string(url) as made:
        made.setup()
        yield made


def _config(thread: str, checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _put(
    saver: BaseCheckpointSaver,
    thread: str,
    values: dict[str, Any],
    metadata: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    versions = dict.fromkeys(values, 1)
    checkpoint = Checkpoint(
        id=new_checkpoint_id(),
        ts="2026-12-02T00:00:00+00:00",
        channel_values=values,
        channel_versions=versions,
        versions_seen={},
        updated_channels=tuple(values),
    )
    meta = {"source": "loop", "step": 0, "parents": {}, **(metadata or {})}
    return saver.put(parent or _config(thread), checkpoint, meta, versions)  # type: ignore[arg-type]


def _execute(url: str, sql: str, params: Any = None) -> list[Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


_FLIP = "body = set_byte(body, 20, get_byte(body, 20) # 1)"
"""A damaged byte in the middle of a payload."""


def test_a_damaged_byte_in_each_table_is_named_and_verify_lists_them_all(
    saver: PostgresSaver, url: str
) -> None:
    made = {}
    for thread in ("c", "w", "v", "r"):
        made[thread] = _put(saver, thread, {"doc": thread * 10_000, "n": 1})
        saver.put_writes(made[thread], [("n", 2), ("doc", thread + "!" * 5_000)], "task-1")
    assert saver.verify().ok
    ids = {thread: config["configurable"]["checkpoint_id"] for thread, config in made.items()}

    _execute(url, f"UPDATE cairn_checkpoints SET {_FLIP} WHERE thread_id = 'c'")
    with pytest.raises(CorruptDataError) as caught:
        saver.get_tuple(_config("c"))
    error: Any = caught.value
    assert (error.table, error.thread_id, error.checkpoint_id) == (
        "cairn_checkpoints",
        "c",
        ids["c"],
    )
    assert "saver.verify()" in str(error)

    _execute(url, f"UPDATE cairn_writes SET {_FLIP} WHERE thread_id = 'w'")
    with pytest.raises(CorruptDataError) as caught:
        saver.get_tuple(_config("w"))
    error = caught.value
    assert (error.table, error.thread_id, error.checkpoint_id) == ("cairn_writes", "w", ids["w"])
    assert error.task_id == "task-1"

    # The value only thread v refers to (its document; content-addressed, no thread of its own).
    (address,) = _execute(
        url,
        "SELECT r.address FROM cairn_refs r WHERE r.thread_id = 'v' AND NOT EXISTS "
        "(SELECT 1 FROM cairn_refs o WHERE o.address = r.address AND o.thread_id <> 'v') "
        "ORDER BY (SELECT length(body) FROM cairn_values v WHERE v.address = r.address) DESC "
        "LIMIT 1",
    )[0]
    _execute(url, f"UPDATE cairn_values SET {_FLIP} WHERE address = %s", (address,))
    with pytest.raises(CorruptDataError) as caught:
        saver.get_tuple(_config("v"))
    assert caught.value.table == "cairn_values"  # type: ignore[attr-defined]
    assert address.hex() in str(caught.value)
    with pytest.raises(CorruptDataError):
        list(saver.list(_config("v")))

    _execute(
        url,
        "UPDATE cairn_refs SET address = set_byte(address, 3, get_byte(address, 3) # 1) "
        "WHERE thread_id = 'r'",
    )
    assert saver.get_tuple(_config("r")) is not None  # reads never need ref rows

    report = saver.verify()
    tables = sorted(problem.table for problem in report.problems)  # type: ignore[attr-defined]
    assert tables.count("cairn_checkpoints") == 1
    assert tables.count("cairn_writes") == 1
    assert tables.count("cairn_values") == 1
    assert "cairn_refs" in tables
    assert {problem.thread_id for problem in report.problems if problem.table == "cairn_refs"} == {  # type: ignore[attr-defined]
        "r"
    }
    assert all(isinstance(problem, CorruptDataError) for problem in report.problems)
    assert report.checked > 0
    # The rest of the store reads as it was.
    other = _put(saver, "fine", {"doc": "c" * 10_000})
    assert saver.get_tuple(other).checkpoint.channel_values["doc"] == "c" * 10_000  # type: ignore[union-attr]


def test_reseal_rewrites_every_row_and_changes_nothing_read(saver: PostgresSaver) -> None:
    first = _put(saver, "a", {"doc": "a" * 10_000, "n": 1})
    saver.put_writes(first, [("n", 2), ("doc", "b" * 3_000)], "task")
    _put(saver, "b", {"doc": "a" * 10_000})
    before = [saver.get_tuple(_config(thread)) for thread in ("a", "b")]
    assert saver.reseal() > 0
    assert saver.verify().ok
    assert [saver.get_tuple(_config(thread)) for thread in ("a", "b")] == before


def _filter_results(saver: BaseCheckpointSaver) -> list[list[int]]:
    parent = None
    for step, meta in enumerate(
        [
            {'a"b': "x", "flag": True},
            {'a"b': "y", "flag": 1},
            {"flag": False, 'a"b': "x"},
            {"flag": 1.0, "nested": {"k": [1, 2]}},
            {"flag": "1", 'a"b': 'x"'},
        ]
    ):
        parent = _put(saver, "f", {"n": step}, {**meta, "step": step}, parent)
    return [
        [item.metadata["step"] for item in saver.list(_config("f"), filter=query)]
        for query in (
            {'a"b': "x"},
            {"flag": 1},
            {"flag": True},
            {"flag": 0},
            {'a"b': 'x"'},
            {"nested": {"k": [1, 2]}},
            {"nested": {"k": [1]}},
            {"missing": None},
            {"flag": 1, 'a"b': "x"},
        )
    ]


def test_filters_mean_what_they_mean_on_the_other_savers(
    saver: PostgresSaver, tmp_path: Path
) -> None:
    expected = _filter_results(InMemorySaver())
    with SqliteSaver.from_conn_string(str(tmp_path / "f.db")) as sqlite:
        assert _filter_results(sqlite) == expected
    assert _filter_results(saver) == expected
    assert expected[0] == [2, 0] and expected[1] == [3, 1, 0]


class Pages(psycopg.Cursor[Any]):
    """A cursor that counts the statements selecting pages of checkpoints."""

    count = 0

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        if str(query).startswith("SELECT thread_id, ns, checkpoint_id, parent_id, body FROM"):
            Pages.count += 1
        return super().execute(query, params, **kwargs)


def test_filter_and_limit_read_pages_until_enough_matched(url: str) -> None:
    with psycopg.connect(url, autocommit=True, cursor_factory=Pages) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        parent = None
        for step in range(450):
            # Newest first, the matches are the 10th, the 130th and the 440th.
            wanted = 449 - step in (9, 129, 439)
            meta = {"step": step, "kind": "wanted" if wanted else "other"}
            parent = _put(saver, "p", {"n": step}, meta, parent)
        Pages.count = 0
        found = list(saver.list(_config("p"), filter={"kind": "wanted"}, limit=2))
        assert [item.metadata["step"] for item in found] == [440, 320]
        assert Pages.count == 2  # of 100 rows each, not the whole thread
        Pages.count = 0
        found = list(saver.list(_config("p"), filter={"kind": "wanted"}, limit=5))
        assert [item.metadata["step"] for item in found] == [440, 320, 10]
        assert Pages.count == 5
        assert len(list(saver.list(_config("p"), filter={"kind": "other"}, limit=150))) == 150
        assert list(saver.list(_config("p"), filter={"kind": "wanted"}, limit=0)) == []


def _count(url: str, table: str) -> int:
    return int(_execute(url, f"SELECT count(*) FROM {table}")[0][0])


def test_delete_thread_frees_the_values_no_other_thread_uses(
    saver: PostgresSaver, url: str
) -> None:
    shared = "s" * 10_000
    _put(saver, "one", {"shared": shared, "own": "1" * 10_000})
    _put(saver, "two", {"shared": shared, "own": "2" * 10_000})
    assert _count(url, "cairn_values") == 3
    saver.delete_thread("one")
    assert _count(url, "cairn_values") == 2
    assert saver.get_tuple(_config("one")) is None
    kept = saver.get_tuple(_config("two"))
    assert kept is not None
    assert kept.checkpoint.channel_values == {"shared": shared, "own": "2" * 10_000}
    saver.delete_thread("two")
    for table in ("cairn_values", "cairn_refs", "cairn_checkpoints", "cairn_writes"):
        assert _count(url, table) == 0, table


def test_a_step_storing_a_value_meanwhile_keeps_it_from_being_freed(
    saver: PostgresSaver, url: str
) -> None:
    shared = "s" * 10_000
    _put(saver, "doomed", {"shared": shared})
    ((address, base, body),) = _execute(url, "SELECT address, base, body FROM cairn_values")
    with psycopg.connect(url) as step:  # another thread's step, not committed yet
        step.execute(
            "INSERT INTO cairn_values (address, base, body) VALUES (%s, %s, %s) "
            "ON CONFLICT (address) DO UPDATE SET base = cairn_values.base",
            (address, base, body),
        )
        step.execute("INSERT INTO cairn_refs (address, thread_id) VALUES (%s, 'alive')", (address,))
        deleting = threading.Thread(target=saver.delete_thread, args=("doomed",))
        deleting.start()
        time.sleep(0.3)
        assert deleting.is_alive()  # waits for the step's row lock
        step.commit()
    deleting.join(10)
    assert not deleting.is_alive()
    assert _execute(url, "SELECT thread_id FROM cairn_refs") == [("alive",)]
    assert _count(url, "cairn_values") == 1


def test_a_dead_connection_while_releasing_leaves_the_thread_free(saver: PostgresSaver) -> None:
    with saver.thread_lock("t", 1):
        run = _driver.HELD.get()
        assert run is not None
        run.conn.close()
    with saver.thread_lock("t", 1):
        pass


def test_an_error_releasing_leaves_the_thread_free(saver: PostgresSaver, url: str) -> None:
    # The run's session is killed under the lock: letting the thread go meets the
    # dead connection, yet the thread must be free again for this very saver.
    with saver.thread_lock("t", 1):
        run = _driver.HELD.get()
        assert run is not None
        _execute(url, "SELECT pg_terminate_backend(%s)", (run.conn.info.backend_pid,))
    with saver.thread_lock("t", 1):
        saver.put(_config("t"), _checkpoint(), {"source": "loop", "step": 0, "parents": {}}, {})
    assert saver.get_tuple(_config("t")) is not None


class FailingClose(psycopg.Cursor[Any]):
    def close(self) -> None:
        super().close()
        raise psycopg.OperationalError("the cursor could not be closed")


def test_an_error_closing_the_runs_cursor_leaves_the_thread_free(url: str) -> None:
    from psycopg_pool import ConnectionPool

    kwargs = {"autocommit": True, "cursor_factory": FailingClose}
    with ConnectionPool(url, min_size=1, max_size=2, kwargs=kwargs) as pool:
        saver = PostgresSaver(pool)
        saver.setup()
        for _ in range(2):
            with saver.thread_lock("t", 0.5):
                saver.put(
                    _config("t"), _checkpoint(), {"source": "loop", "step": 0, "parents": {}}, {}
                )
        assert len(list(saver.list(_config("t")))) == 2


def test_a_run_failing_on_its_dead_connection_leaves_the_thread_free(
    saver: PostgresSaver, url: str
) -> None:
    with pytest.raises(StorageUnavailableError), saver.thread_lock("t", 1):
        run = _driver.HELD.get()
        assert run is not None
        _execute(url, "SELECT pg_terminate_backend(%s)", (run.conn.info.backend_pid,))
        saver.get_tuple(_config("t"))  # on the run's connection
    with saver.thread_lock("t", 1):
        assert saver.get_tuple(_config("t")) is None


def _checkpoint() -> Checkpoint:
    return Checkpoint(
        id=new_checkpoint_id(),
        ts="2026-12-02T00:00:00+00:00",
        channel_values={},
        channel_versions={},
        versions_seen={},
        updated_channels=(),
    )


def test_normal_writes_saved_again_keep_the_first_and_add_the_new(
    saver: PostgresSaver, tmp_path: Path
) -> None:
    def writes(made: BaseCheckpointSaver) -> list[tuple[str, str, Any]]:
        config = _put(made, "m", {"n": 1})
        made.put_writes(config, [("a", 1), ("big", "x" * 1_000)], "task")
        made.put_writes(config, [("a", 9), ("big", "y" * 1_000), ("c", 3)], "task")
        made.put_writes(config, [("a", 7)], "other")
        found = made.get_tuple(config)
        assert found is not None
        return [(w.task_id, w.channel, w.value) for w in found.pending_writes]

    with SqliteSaver.from_conn_string(str(tmp_path / "m.db")) as sqlite:
        expected = writes(sqlite)
    assert writes(saver) == expected
    assert ("task", "c", 3) in expected and ("task", "a", 1) in expected
