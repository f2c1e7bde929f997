"""Retention on every saver: prune, copy_thread, delete_for_runs, tombstones, policies."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointTuple,
    TaskWrites,
)
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres._statements import Op, Query
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from cairngraph.checkpoint.retention import RetentionPolicy, Sweeper
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import (
    CheckpointNotFoundError,
    InvalidConfigError,
    ThreadBusyError,
    ThreadDeletedError,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def _config(thread: str, ns: str = "", checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _history(
    saver: BaseCheckpointSaver,
    thread: str,
    steps: int,
    *,
    ns: str = "",
    run: str = "run-1",
    hours: int = 0,
) -> list[dict[str, Any]]:
    """A thread where ``messages`` grows by one big item a step (stored as deltas),
    ``page`` is a new big value every step and ``title`` never changes; each
    checkpoint but the last has a task's pending write. Step ``i`` is dated
    ``START + hours + i`` hours."""
    configs: list[dict[str, Any]] = []
    parent = _config(thread, ns)
    messages: list[str] = []
    for step in range(steps):
        messages = [*messages, f"{thread}-{step}-" + "m" * 600]
        values: dict[str, Any] = {"messages": messages, "page": f"{thread}{step}" + "p" * 900}
        versions = {"messages": step + 1, "page": step + 1, "title": 1}
        if step == 0:
            values["title"] = "t" * 700
        appends = {} if step == 0 else {"messages": (step, step)}
        checkpoint = Checkpoint(
            id=new_checkpoint_id(),
            ts=(START + timedelta(hours=hours + step)).isoformat(),
            channel_values=values,
            channel_versions=versions,
            versions_seen={"node": {"messages": step}},
            updated_channels=tuple(sorted(values)),
            channel_appends=appends,
        )
        new_versions = {key: versions[key] for key in values}
        metadata = {"source": "loop", "step": step, "parents": {}, "run_id": run}
        writes = [] if not configs else [TaskWrites(task_id=f"task{step}", writes=[("x", step)])]
        parent = saver.put_step(parent, writes, checkpoint, metadata, new_versions)  # type: ignore[arg-type]
        configs.append(parent)
    return configs


def _snapshot(item: CheckpointTuple | None) -> Any:
    assert item is not None
    return (
        dict(item.checkpoint.channel_values),
        dict(item.checkpoint.channel_versions),
        sorted((w.task_id, w.channel, repr(w.value)) for w in item.pending_writes),
        dict(item.metadata),
    )


def _run_query(saver: BaseCheckpointSaver, sql: str) -> list[Any]:
    def operation() -> Op:
        return (yield Query(sql, (), "all"))  # type: ignore[no-any-return]

    if isinstance(saver, AsyncPostgresSaver):
        return saver._sync(operation)  # type: ignore[no-any-return]
    assert isinstance(saver, PostgresSaver)
    return saver._run(operation)  # type: ignore[no-any-return]


def _stored(saver: BaseCheckpointSaver) -> set[Any]:
    """What the saver stores apart from checkpoint records: value addresses, or memory's blobs."""
    if isinstance(saver, InMemorySaver):
        return set(saver._blobs)
    if isinstance(saver, SqliteSaver):
        return {bytes(a) for (a,) in saver.conn.execute("SELECT address FROM cairn_values")}
    return {bytes(a) for (a,) in _run_query(saver, "SELECT address FROM cairn_values")}


def _ids(saver: BaseCheckpointSaver, thread: str, ns: str | None = "") -> list[str]:
    config = _config(thread, ns) if ns is not None else {"configurable": {"thread_id": thread}}
    # Ids from the configs: listing them opens no row (a sweeper may be pruning meanwhile).
    return [item.config["configurable"]["checkpoint_id"] for item in saver.list(config)]


# -- prune --------------------------------------------------------------------------


def test_prune_keep_latest_keeps_what_it_keeps_loadable(saver: BaseCheckpointSaver) -> None:
    configs = _history(saver, "a", 6)
    _history(saver, "a", 3, ns="child:1")
    other = _history(saver, "b", 4)
    saver.put_writes(configs[-1], [("pending", "p" * 500)], "late-task")
    kept = _snapshot(saver.get_tuple(configs[-1]))
    child_kept = _snapshot(saver.get_tuple(_config("a", "child:1")))
    other_before = [_snapshot(item) for item in saver.list(_config("b"))]
    before = _stored(saver)

    saver.prune(["a"])

    assert _ids(saver, "a") == [configs[-1]["configurable"]["checkpoint_id"]]
    assert len(_ids(saver, "a", "child:1")) == 1
    assert _snapshot(saver.get_tuple(configs[-1])) == kept
    assert _snapshot(saver.get_tuple(_config("a", "child:1"))) == child_kept
    assert [_snapshot(item) for item in saver.list(_config("b"))] == other_before
    assert saver.get_tuple(other[0]) is not None
    report = saver.verify()
    assert report.ok, report.problems
    after = _stored(saver)
    assert after < before  # the pruned checkpoints' own pages are gone
    saver.prune(["a"])  # nothing more to prune: the same
    assert _stored(saver) == after


def test_prune_frees_exactly_what_nothing_refers_to(saver: BaseCheckpointSaver) -> None:
    _history(saver, "solo", 5)
    _history(saver, "other", 1)
    everything = _stored(saver)
    latest = _snapshot(saver.get_tuple(_config("solo")))
    saver.prune(["solo"])
    after = _stored(saver)
    # A new history on a fresh thread with only the kept checkpoint's values
    # would store them again: every stored value that is left is one of those.
    assert _snapshot(saver.get_tuple(_config("solo"))) == latest
    assert saver.verify().ok
    assert len(after) < len(everything)
    saver.delete_thread("solo")
    saver.delete_thread("other")
    assert _stored(saver) == set()
    assert saver.verify().ok


def test_deltas_on_pruned_bases_still_read_back_whole(saver: BaseCheckpointSaver) -> None:
    configs = _history(saver, "chat", 8)
    messages = saver.get_tuple(configs[-1]).checkpoint.channel_values["messages"]  # type: ignore[union-attr]
    assert len(messages) == 8
    saver.prune(["chat"])
    again = saver.get_tuple(_config("chat"))
    assert again is not None and again.checkpoint.channel_values["messages"] == messages
    assert saver.verify().ok
    # The kept checkpoint is the parent of new steps: they build on it as before.
    item = Checkpoint(
        id=new_checkpoint_id(),
        ts=START.isoformat(),
        channel_values={"messages": [*messages, "new"]},
        channel_versions={"messages": 9, "page": 8, "title": 1},
        versions_seen={},
        channel_appends={"messages": (8, 8)},
    )
    made = saver.put(configs[-1], item, {"source": "loop", "step": 8}, {"messages": 9})  # type: ignore[typeddict-item]
    assert saver.get_tuple(made).checkpoint.channel_values["messages"] == [*messages, "new"]  # type: ignore[union-attr]
    assert saver.get_tuple(made).checkpoint.channel_values["title"] == "t" * 700  # type: ignore[union-attr]


def test_prune_delete_strategy_and_bad_strategy(saver: BaseCheckpointSaver) -> None:
    _history(saver, "gone", 3)
    _history(saver, "stays", 2)
    saver.prune(["gone"], strategy="delete")
    assert saver.get_tuple(_config("gone")) is None
    assert len(_ids(saver, "stays")) == 2
    with pytest.raises(InvalidConfigError, match="keep_latest"):
        saver.prune(["stays"], strategy="keep_all")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not one string"):
        saver.prune("stays")
    with pytest.raises(TypeError):
        saver.prune(["stays"], stratgy="delete")  # type: ignore[call-arg]
    assert len(_ids(saver, "stays")) == 2


def test_prune_waits_for_a_run_on_the_thread_then_refuses(saver: BaseCheckpointSaver) -> None:
    _history(saver, "busy", 3)
    _history(saver, "free", 3)
    with saver.thread_lock("busy", 1):
        errors: list[BaseException] = []

        def prune_other_threads() -> None:
            try:
                saver.prune(["free"], wait=0.2)
                saver.prune(["busy"], wait=0.2)
            except ThreadBusyError as error:
                errors.append(error)

        worker = threading.Thread(target=prune_other_threads)
        worker.start()
        worker.join()
    assert len(_ids(saver, "free")) == 1
    assert len(errors) == 1 and isinstance(errors[0], ThreadBusyError)
    assert "busy" in str(errors[0])
    assert len(_ids(saver, "busy")) == 3  # untouched
    saver.prune(["busy"])
    assert len(_ids(saver, "busy")) == 1


# -- copy_thread and delete_for_runs ----------------------------------------------------


def test_copy_thread_gives_an_identical_independent_history(saver: BaseCheckpointSaver) -> None:
    _history(saver, "src", 4)
    _history(saver, "src", 2, ns="child:1")
    original = [_snapshot(item) for item in saver.list({"configurable": {"thread_id": "src"}})]
    saver.copy_thread("src", "dst")
    copied = list(saver.list({"configurable": {"thread_id": "dst"}}))
    assert [_snapshot(item) for item in copied] == original
    assert all(item.config["configurable"]["thread_id"] == "dst" for item in copied)
    assert (
        copied[0].parent_config is None
        or copied[0].parent_config["configurable"]["thread_id"] == "dst"
    )
    assert saver.verify().ok
    saver.prune(["src"])
    saver.delete_thread("src")
    assert [_snapshot(item) for item in saver.list({"configurable": {"thread_id": "dst"}})] == (
        original
    )
    assert saver.verify().ok
    with pytest.raises(InvalidConfigError, match="already has checkpoints"):
        saver.copy_thread("dst", "dst2") or saver.copy_thread("dst", "dst2")
    # The copy goes on from where the source was.
    latest = saver.get_tuple(_config("dst"))
    assert latest is not None
    step = Checkpoint(
        id=new_checkpoint_id(),
        ts=START.isoformat(),
        channel_values={"page": "next"},
        channel_versions={**latest.checkpoint.channel_versions, "page": 99},
        versions_seen={},
    )
    saver.put(latest.config, step, {"source": "loop", "step": 9}, {"page": 99})  # type: ignore[typeddict-item]
    assert saver.get_tuple(_config("dst")).checkpoint.channel_values["title"] == "t" * 700  # type: ignore[union-attr]


def test_delete_for_runs_removes_those_runs_checkpoints(saver: BaseCheckpointSaver) -> None:
    first = _history(saver, "r", 3, run="run-1")
    second = _history(saver, "q", 2, run="run-2")
    third = _history(saver, "r2", 2, run="run-3")
    saver.delete_for_runs(["run-1", "run-3"])
    assert _ids(saver, "r") == [] and _ids(saver, "r2") == []
    assert saver.get_tuple(first[0]) is None and saver.get_tuple(third[-1]) is None
    assert [_snapshot(saver.get_tuple(c)) is not None for c in second] == [True, True]
    assert saver.verify().ok
    saver.delete_for_runs([])
    assert len(_ids(saver, "q")) == 2


# -- tombstones -------------------------------------------------------------------------


def test_a_late_save_cannot_bring_a_deleted_thread_back(saver: BaseCheckpointSaver) -> None:
    configs = _history(saver, "late", 2)
    saver.delete_thread("late")
    step = Checkpoint(
        id=new_checkpoint_id(),
        ts=START.isoformat(),
        channel_values={"page": "stale"},
        channel_versions={"page": 9},
        versions_seen={},
    )
    with pytest.raises(ThreadDeletedError, match=r"'late'.*deleted"):
        saver.put(configs[-1], step, {"source": "loop", "step": 2}, {"page": 9})  # type: ignore[typeddict-item]
    with pytest.raises(ThreadDeletedError, match="writes"):
        saver.put_writes(configs[-1], [("x", 1)], "stale-task")
    with pytest.raises(ThreadDeletedError):
        saver.put(_config("late", "child:1"), step, {"source": "loop", "step": 0}, {"page": 9})  # type: ignore[typeddict-item]
    assert saver.get_tuple(_config("late")) is None
    assert list(saver.list({"configurable": {"thread_id": "late"}})) == []
    # A new run with input on the id starts it afresh, on purpose.
    _history(saver, "late", 2)
    assert len(_ids(saver, "late")) == 2


def test_async_lifecycle_twins(saver: BaseCheckpointSaver) -> None:
    async def scenario() -> None:
        _history(saver, "as", 3, run="run-a")
        await saver.aprune(["as"])
        assert len(_ids(saver, "as")) == 1
        await saver.acopy_thread("as", "as-copy")
        assert len(_ids(saver, "as-copy")) == 1
        await saver.adelete_for_runs(["run-a"])
        assert _ids(saver, "as") == [] and _ids(saver, "as-copy") == []
        _history(saver, "as", 3)
        report = await saver.asweep(RetentionPolicy(keep_last=2))
        assert report.checkpoints_deleted == 1

    asyncio.run(scenario())


# -- retention policies --------------------------------------------------------------


def test_keep_last_and_max_age_per_namespace(saver: BaseCheckpointSaver) -> None:
    long = _history(saver, "long", 6)
    _history(saver, "long", 4, ns="child:1")
    _history(saver, "short", 2)
    report = saver.sweep(RetentionPolicy(keep_last=3), now=START)
    assert report.checkpoints_deleted == 3 + 1 and report.threads_deleted == 0
    assert _ids(saver, "long") == [c["configurable"]["checkpoint_id"] for c in long[:2:-1]]
    assert len(_ids(saver, "long", "child:1")) == 3 and len(_ids(saver, "short")) == 2
    # Older than 4.5 hours at START + 6 h: those dated before 1.5 h go; the newest
    # of each namespace always stays.
    later = START + timedelta(hours=6)
    report = saver.sweep(RetentionPolicy(max_age=timedelta(hours=4.5)), now=later)
    assert report.checkpoints_deleted == 2
    assert len(_ids(saver, "long")) == 3 and len(_ids(saver, "short")) == 1
    assert len(_ids(saver, "long", "child:1")) == 2
    assert saver.verify().ok


def test_ttl_deletes_idle_threads_whole_and_use_renews_it(saver: BaseCheckpointSaver) -> None:
    _history(saver, "idle", 2)  # newest at START + 1 h
    _history(saver, "used", 2, hours=48)  # newest at START + 49 h
    policy = RetentionPolicy(ttl=timedelta(hours=24))
    saver.retention = policy
    report = saver.sweep(now=START + timedelta(hours=50))
    assert report.threads_deleted == 1 and report.checkpoints_deleted == 2
    assert _ids(saver, "idle") == [] and len(_ids(saver, "used")) == 2
    assert saver.verify().ok
    with pytest.raises(InvalidConfigError, match="no rule"):
        RetentionPolicy()
    with pytest.raises(InvalidConfigError, match="keep_last=0"):
        RetentionPolicy(keep_last=0)


def test_sweep_skips_a_thread_a_run_holds(saver: BaseCheckpointSaver) -> None:
    _history(saver, "held", 3)
    _history(saver, "loose", 3)
    found: list[Any] = []
    with saver.thread_lock("held", 1):
        worker = threading.Thread(
            target=lambda: found.append(saver.sweep(RetentionPolicy(keep_last=1)))
        )
        worker.start()
        worker.join()
    assert found[0].busy == ("held",) and found[0].checkpoints_deleted == 2
    assert len(_ids(saver, "held")) == 3 and len(_ids(saver, "loose")) == 1


def test_background_sweeper_runs_until_stopped(saver: BaseCheckpointSaver) -> None:
    _history(saver, "bg", 4)
    with Sweeper(saver, RetentionPolicy(keep_last=2), every=0.05) as sweeper:
        deadline = time.monotonic() + 10
        while len(_ids(saver, "bg")) > 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len(_ids(saver, "bg")) == 2 and sweeper.reports
    with pytest.raises(InvalidConfigError):
        Sweeper(saver, RetentionPolicy(keep_last=2), every=0)


def test_a_graph_mid_run_meets_its_thread_deleted(saver: BaseCheckpointSaver) -> None:
    from typing import TypedDict

    from cairngraph.graph import END, START, StateGraph

    class State(TypedDict):
        count: int

    def first(state: State) -> State:
        return {"count": state["count"] + 1}

    deletions: list[str] = []

    def deleting(state: State) -> State:
        # Another actor (here another Python thread) deletes the thread meanwhile, once.
        if not deletions:
            deletions.append("mid")
            other = threading.Thread(target=saver.delete_thread, args=("mid",))
            other.start()
            other.join()
        return {"count": state["count"] + 1}

    builder = StateGraph(State)
    builder.add_node("first", first)
    builder.add_node("deleting", deleting)
    builder.add_edge(START, "first")
    builder.add_edge("first", "deleting")
    builder.add_edge("deleting", END)
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "mid"}}
    with pytest.raises(ThreadDeletedError, match="'mid'"):
        app.invoke({"count": 0}, config)  # type: ignore[arg-type]
    assert list(saver.list(config)) == []  # type: ignore[arg-type]
    # Used again on purpose: a new run with input starts the thread afresh.
    assert app.invoke({"count": 10}, config) == {"count": 12}  # type: ignore[arg-type]


@pytest.mark.parametrize("listing", ["list", "list_eager"])
def test_readers_never_see_a_prune_half_done(saver: BaseCheckpointSaver, listing: str) -> None:
    """A reader racing prunes of the thread it reads gets whole checkpoints, never damage.

    ``list_eager`` (what history reads) skips what a prune removed before it
    was read; a listed tuple whose checkpoint is removed before its values are
    read (SQLite's ``list()`` opens rows on first read) says so, and only then.
    """
    stop = threading.Event()
    failures: list[BaseException] = []
    reads = [0]
    listed = saver.list if listing == "list" else saver.list_eager

    def read() -> None:
        while not stop.is_set():
            try:
                for item in listed(_config("raced")):
                    try:
                        assert len(item.checkpoint.channel_values["messages"]) >= 1
                    except CheckpointNotFoundError:
                        assert listing == "list" and isinstance(saver, SqliteSaver)
                        assert saver.get_tuple(item.config) is None
                assert saver.get_tuple(_config("raced")) is not None
                reads[0] += 1
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)
                return

    _history(saver, "raced", 2)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _round in range(15):
            latest = saver.get_tuple(_config("raced"))
            assert latest is not None
            parent = latest.config
            messages = list(latest.checkpoint.channel_values["messages"])
            versions = dict(latest.checkpoint.channel_versions)
            for _step in range(4):
                messages = [*messages, "n" * 400]
                versions = {**versions, "messages": versions["messages"] + 1}
                item = Checkpoint(
                    id=new_checkpoint_id(),
                    ts=START.isoformat(),
                    channel_values={"messages": messages, "page": "p" * 900 + str(_step)},
                    channel_versions={**versions, "page": versions["messages"]},
                    versions_seen={},
                )
                metadata = {"source": "loop", "step": 1}
                new = {"messages": versions["messages"], "page": versions["messages"]}
                parent = saver.put(parent, item, metadata, new)  # type: ignore[arg-type]
            saver.prune(["raced"])
    finally:
        stop.set()
        reader.join()
    assert failures == [] and reads[0] > 0
    assert saver.verify().ok


def test_deletes_racing_saves_never_leave_a_partial_thread(saver: BaseCheckpointSaver) -> None:
    """A writer keeps saving a thread that another thread keeps deleting: each save either
    lands in a whole history (starting afresh after a deletion) or is refused."""
    stop = threading.Event()
    refused = [0]
    failures: list[BaseException] = []

    def write() -> None:
        parent = _config("contested")
        step = 0
        while not stop.is_set():
            item = Checkpoint(
                id=new_checkpoint_id(),
                ts=START.isoformat(),
                channel_values={"page": "p" * 600 + str(step)},
                channel_versions={"page": step + 1},
                versions_seen={},
            )
            try:
                parent = saver.put(
                    parent, item, {"source": "loop", "step": step}, {"page": step + 1}
                )  # type: ignore[typeddict-item]
                step += 1
            except ThreadDeletedError:
                refused[0] += 1
                parent, step = _config("contested"), 0  # start afresh, on purpose
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)
                return

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(20):
            time.sleep(0.01)
            saver.delete_thread("contested")
    finally:
        stop.set()
        writer.join()
    assert failures == []
    assert refused[0] > 0
    saved = list(saver.list(_config("contested")))
    ids = {item.checkpoint.id for item in saved}
    for item in saved:  # no checkpoint whose parent a deletion took
        parent = item.parent_config
        assert parent is None or parent["configurable"]["checkpoint_id"] in ids
    assert saver.verify().ok


def test_a_sweep_reads_the_store_page_by_page(
    saver: BaseCheckpointSaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairngraph.checkpoint.postgres import _retention as postgres_retention
    from cairngraph.checkpoint.sqlite import _retention as sqlite_retention

    monkeypatch.setattr(postgres_retention, "_PAGE", 3)
    monkeypatch.setattr(sqlite_retention, "_PAGE", 3)
    for thread in range(4):
        _history(saver, f"paged{thread}", 4)
    report = saver.sweep(RetentionPolicy(keep_last=2))
    assert report.checkpoints_deleted == 8
    assert [len(_ids(saver, f"paged{thread}")) for thread in range(4)] == [2, 2, 2, 2]


# -- prune in batches: many threads per transaction --------------------------------------


def _states(saver: BaseCheckpointSaver, thread: str) -> list[Any]:
    """Every checkpoint of every namespace of ``thread``, loaded whole, newest first."""
    return [_snapshot(item) for item in saver.list({"configurable": {"thread_id": thread}})]


def test_a_batch_prune_keeps_each_threads_latest_of_every_namespace(
    saver: BaseCheckpointSaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairngraph.checkpoint import _lifecycle

    monkeypatch.setattr(_lifecycle, "BATCH", 2)  # five threads: three batches, one short
    latest: dict[str, Any] = {}
    for thread in range(5):
        name = f"batch{thread}"
        configs = _history(saver, name, 3 + thread)
        if thread % 2:  # a subgraph namespace on some threads, with a pending write
            child = _history(saver, name, 3, ns="child:1")
            saver.put_writes(child[-1], [("pending", "c" * 400)], "child-task")
        saver.put_writes(configs[-1], [("pending", f"{name}-" + "w" * 400)], "late-task")
        latest[name] = [_snapshot(saver.get_tuple(_config(name)))] + (
            [_snapshot(saver.get_tuple(_config(name, "child:1")))] if thread % 2 else []
        )
    untouched = _history(saver, "not-asked", 4)
    before = _states(saver, "not-asked")

    saver.prune([f"batch{thread}" for thread in range(5)] + ["batch0", "never-saved"])

    for name, kept in latest.items():
        assert len(_ids(saver, name)) == 1
        assert _snapshot(saver.get_tuple(_config(name))) == kept[0]
        if len(kept) > 1:
            assert len(_ids(saver, name, "child:1")) == 1
            assert _snapshot(saver.get_tuple(_config(name, "child:1"))) == kept[1]
            pending = saver.get_tuple(_config(name, "child:1")).pending_writes  # type: ignore[union-attr]
            assert [(w.task_id, w.value) for w in pending] == [("child-task", "c" * 400)]
    assert _states(saver, "not-asked") == before
    assert saver.get_tuple(untouched[0]) is not None
    assert saver.verify().ok


def test_a_batch_prune_frees_no_value_a_kept_thread_shares(saver: BaseCheckpointSaver) -> None:
    # Every _history thread stores the same title (one stored value, shared); a copy
    # shares every value of its source.
    _history(saver, "pruned-a", 5)
    _history(saver, "pruned-b", 4)
    _history(saver, "kept", 3)
    saver.copy_thread("pruned-a", "copy-of-a")
    kept_before = _states(saver, "kept")
    copy_before = _states(saver, "copy-of-a")
    everything = _stored(saver)

    saver.prune(["pruned-a", "pruned-b"])

    assert _states(saver, "kept") == kept_before
    assert _states(saver, "copy-of-a") == copy_before  # its whole history, every value
    assert saver.verify().ok
    assert _stored(saver) <= everything
    saver.delete_thread("copy-of-a")
    saver.delete_thread("kept")
    # What is left is what the two pruned threads' latest checkpoints need.
    assert len(_stored(saver)) < len(everything)
    assert len(_ids(saver, "pruned-a")) == len(_ids(saver, "pruned-b")) == 1
    assert saver.get_tuple(_config("pruned-a")).checkpoint.channel_values["title"] == "t" * 700  # type: ignore[union-attr]
    assert saver.verify().ok


def test_a_batch_with_a_busy_thread_prunes_the_others_then_names_it(
    saver: BaseCheckpointSaver,
) -> None:
    for name in ("first", "busy", "last"):
        _history(saver, name, 3)
    busy_before = _states(saver, "busy")
    errors: list[BaseException] = []

    def prune_all() -> None:
        try:
            saver.prune(["first", "busy", "last"], wait=0.2)
        except ThreadBusyError as error:
            errors.append(error)

    with saver.thread_lock("busy", 1):
        worker = threading.Thread(target=prune_all)
        worker.start()
        worker.join()
    assert len(errors) == 1
    assert "'busy'" in str(errors[0]) and "every other thread was pruned" in str(errors[0])
    assert "'first'" not in str(errors[0]) and "'last'" not in str(errors[0])
    assert len(_ids(saver, "first")) == len(_ids(saver, "last")) == 1
    assert _states(saver, "busy") == busy_before  # untouched, values and all
    assert saver.verify().ok


def test_a_prune_waits_for_a_busy_thread_of_its_batch(saver: BaseCheckpointSaver) -> None:
    for name in ("free", "held"):
        _history(saver, name, 3)
    held = threading.Event()
    release = threading.Event()

    def run_holding() -> None:
        with saver.thread_lock("held", 5):
            held.set()
            release.wait(5)

    runner = threading.Thread(target=run_holding)
    runner.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    saver.prune(["held", "free"], wait=10)  # the run lets go after 0.3 s: within wait
    runner.join()
    assert time.monotonic() - started >= 0.25
    assert len(_ids(saver, "held")) == len(_ids(saver, "free")) == 1
    assert saver.verify().ok


def test_a_run_in_progress_on_another_thread_goes_on_through_a_batch_prune(
    saver: BaseCheckpointSaver,
) -> None:
    from typing import TypedDict

    from cairngraph.graph import END, StateGraph
    from cairngraph.graph import START as BEGIN

    class State(TypedDict):
        count: int

    for thread in range(4):
        _history(saver, f"old{thread}", 4)
    pruned = threading.Event()

    def step(state: State) -> dict[str, int]:
        if state["count"] == 1 and not pruned.is_set():
            saver.prune([f"old{thread}" for thread in range(4)])  # mid-run, other threads
            pruned.set()
        return {"count": state["count"] + 1}

    builder = StateGraph(State)
    builder.add_node("one", step)
    builder.add_node("two", step)
    builder.add_edge(BEGIN, "one")
    builder.add_edge("one", "two")
    builder.add_edge("two", END)
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "live"}}
    assert app.invoke({"count": 0}, config) == {"count": 2}  # type: ignore[arg-type]
    assert pruned.is_set()
    assert [len(_ids(saver, f"old{thread}")) for thread in range(4)] == [1, 1, 1, 1]
    assert len(list(saver.list(config))) == 4  # type: ignore[arg-type]
    assert saver.verify().ok


def test_delete_for_runs_clears_every_free_thread_then_names_the_busy_one(
    saver: BaseCheckpointSaver,
) -> None:
    for name in ("a", "held", "z"):
        _history(saver, name, 2, run="old")
        _history(saver, name, 2, run="new")  # a second run continues each thread
    errors: list[BaseException] = []

    def delete_old() -> None:
        try:
            saver.delete_for_runs(["old"], wait=0.1)
        except ThreadBusyError as error:
            errors.append(error)

    with saver.thread_lock("held", 1):
        worker = threading.Thread(target=delete_old)
        worker.start()
        worker.join()
    assert len(errors) == 1 and "'held' (1 of 3)" in str(errors[0])
    assert [len(_ids(saver, name)) for name in ("a", "held", "z")] == [2, 4, 2]
    assert saver.verify().ok
