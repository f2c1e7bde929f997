"""The saver contract, written once; every saver of ``tests/savers.py`` must pass it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    BaseCheckpointSaver,
    Checkpoint,
    TaskWrites,
    checkpoint_config,
)
from cairngraph.errors import ThreadBusyError


def _config(thread: str, ns: str = "", checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _checkpoint(
    values: dict[str, Any],
    versions: dict[str, int],
    appends: dict[str, tuple[int, int]] | None = None,
) -> Checkpoint:
    return Checkpoint(
        id=new_checkpoint_id(),
        ts="2026-11-24T00:00:00+00:00",
        channel_values=values,
        channel_versions=versions,
        versions_seen={"node": {"a": 1}},
        updated_channels=tuple(sorted(values)),
        channel_appends=appends or {},
    )


def _chain(
    saver: BaseCheckpointSaver, thread: str, steps: int, ns: str = ""
) -> list[dict[str, Any]]:
    """``steps`` checkpoints where channel ``n`` changes every step and ``big`` never."""
    configs = []
    parent = _config(thread, ns)
    for step in range(steps):
        values = {"n": step}
        versions = {"n": step + 1, "big": 1}
        if step == 0:
            values["big"] = "x" * 1000
        checkpoint = _checkpoint(values, versions)
        new_versions = {key: versions[key] for key in values}
        metadata = {"source": "loop", "step": step, "parents": {}, "owner": f"o{step % 2}"}
        parent = saver.put(parent, checkpoint, metadata, new_versions)  # type: ignore[arg-type]
        configs.append(parent)
    return configs


def test_put_and_get_latest_and_by_id(saver: BaseCheckpointSaver) -> None:
    configs = _chain(saver, "t", 3)
    latest = saver.get_tuple(_config("t"))
    assert latest is not None
    assert latest.config == configs[-1]
    assert latest.checkpoint.channel_values == {"n": 2, "big": "x" * 1000}
    assert latest.metadata["step"] == 2 and latest.metadata["owner"] == "o0"
    assert latest.parent_config == configs[1]
    first = saver.get_tuple(configs[0])
    assert first is not None and first.parent_config is None
    assert first.checkpoint.channel_values == {"n": 0, "big": "x" * 1000}
    assert first.checkpoint.versions_seen == {"node": {"a": 1}}
    assert saver.get_tuple(_config("t", checkpoint_id="missing")) is None
    assert saver.get_tuple(_config("other")) is None
    assert saver.get(configs[0]) is not None


def test_empty_channels_and_namespaces(saver: BaseCheckpointSaver) -> None:
    checkpoint = _checkpoint({}, {"trigger": 1})
    saver.put(_config("ns"), checkpoint, {"source": "input", "step": -1, "parents": {}}, {})
    saved = saver.get_tuple(_config("ns"))
    assert saved is not None and saved.checkpoint.channel_values == {}
    _chain(saver, "ns", 2, ns="child:1")
    assert saver.get_tuple(_config("ns")).checkpoint.id == checkpoint.id  # type: ignore[union-attr]
    assert saver.get_tuple(_config("ns", "child:1")).metadata["step"] == 1  # type: ignore[union-attr]


def test_list_order_filter_before_limit(saver: BaseCheckpointSaver) -> None:
    configs = _chain(saver, "l", 5)
    _chain(saver, "l2", 2)
    ids = [item.config["configurable"]["checkpoint_id"] for item in saver.list(_config("l"))]
    assert ids == [c["configurable"]["checkpoint_id"] for c in reversed(configs)]
    assert len(list(saver.list(_config("l"), limit=2))) == 2
    owned = list(saver.list(_config("l"), filter={"owner": "o1"}))
    assert [item.metadata["step"] for item in owned] == [3, 1]
    assert [i.metadata["step"] for i in saver.list(_config("l"), filter={"step": 2})] == [2]
    assert (
        next(iter(saver.list(_config("l"), filter={"parents": {}}, limit=1))).metadata["step"] == 4
    )
    older = list(saver.list(_config("l"), before=configs[2]))
    assert [item.metadata["step"] for item in older] == [1, 0]
    everything = list(saver.list(None))
    assert len(everything) == 7
    assert [i.checkpoint.id for i in everything] == sorted(
        (i.checkpoint.id for i in everything), reverse=True
    )
    assert list(saver.list(_config("l"), filter={"owner": "nobody"})) == []


def test_writes_keep_first_and_replace_special(saver: BaseCheckpointSaver) -> None:
    config = _chain(saver, "w", 1)[0]
    saver.put_writes(config, [("a", 1), ("b", 2)], "task-1")
    saver.put_writes(config, [("a", 99)], "task-1")
    saver.put_writes(config, [(ERROR, {"type": "ValueError", "message": "first"})], "task-2")
    saver.put_writes(config, [(ERROR, {"type": "ValueError", "message": "second"})], "task-2")
    saver.put_writes(config, [(INTERRUPT, ["ask"])], "task-3")
    saved = saver.get_tuple(config)
    assert saved is not None
    found = sorted((w.task_id, w.channel, str(w.value)) for w in saved.pending_writes)
    assert found == [
        ("task-1", "a", "1"),
        ("task-1", "b", "2"),
        ("task-2", ERROR, str({"type": "ValueError", "message": "second"})),
        ("task-3", INTERRUPT, "['ask']"),
    ]


def test_put_step_saves_writes_and_checkpoint(saver: BaseCheckpointSaver) -> None:
    parent = _chain(saver, "s", 1)[0]
    child = _checkpoint({"n": 5}, {"n": 9, "big": 1})
    made = saver.put_step(
        parent,
        [TaskWrites(task_id="t1", writes=[("n", 5)])],
        child,
        {"source": "loop", "step": 1, "parents": {}},
        {"n": 9},
    )
    assert made == checkpoint_config("s", "", child.id)
    assert [(w.task_id, w.value) for w in saver.get_tuple(parent).pending_writes] == [("t1", 5)]  # type: ignore[union-attr]
    assert saver.get_tuple(made).checkpoint.channel_values == {"n": 5, "big": "x" * 1000}  # type: ignore[union-attr]


def test_delete_thread_and_isolation(saver: BaseCheckpointSaver) -> None:
    _chain(saver, "keep", 2)
    _chain(saver, "drop", 2)
    saver.delete_thread("drop")
    assert saver.get_tuple(_config("drop")) is None
    assert list(saver.list(_config("drop"))) == []
    assert saver.get_tuple(_config("keep")) is not None


def test_appended_lists_read_back_whole_on_every_branch(saver: BaseCheckpointSaver) -> None:
    parent = _config("chat")
    history: list[tuple[dict[str, Any], list[str]]] = []
    messages: list[str] = []
    version = 0
    for turn in range(150):
        previous = version
        version = turn + 1
        messages = [*messages, f"message {turn} " + "y" * 50]
        appends = {"messages": (previous, turn)} if turn else {}
        checkpoint = _checkpoint({"messages": messages}, {"messages": version}, appends)
        parent = saver.put(
            parent,
            checkpoint,
            {"source": "loop", "step": turn, "parents": {}},
            {"messages": version},
        )
        history.append((parent, messages))
    for config, expected in history[::7] + history[-3:]:
        assert saver.get_tuple(config).checkpoint.channel_values["messages"] == expected  # type: ignore[union-attr]
    fork_base, base_messages = history[40]
    forked = [*base_messages, "a different reply"]
    branch = _checkpoint(
        {"messages": forked}, {"messages": (41 << 32) | 7}, {"messages": (41, len(base_messages))}
    )
    made = saver.put(
        fork_base,
        branch,
        {"source": "fork", "step": 41, "parents": {}},
        {"messages": (41 << 32) | 7},
    )
    assert saver.get_tuple(made).checkpoint.channel_values["messages"] == forked  # type: ignore[union-attr]
    listed = [item.checkpoint.channel_values["messages"] for item in saver.list(_config("chat"))]
    assert listed[0] == forked and listed[1] == history[-1][1]


def test_thread_lock_excludes_and_times_out(saver: BaseCheckpointSaver) -> None:
    entered = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with saver.thread_lock("locked", 5):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    assert entered.wait(5)
    started = time.monotonic()
    with pytest.raises(ThreadBusyError, match="'locked'"), saver.thread_lock("locked", 0.1):
        pass
    assert time.monotonic() - started >= 0.1
    with saver.thread_lock("free", 0.1):
        pass
    release.set()
    thread.join()
    with saver.thread_lock("locked", 1):
        pass


def test_async_twins(saver: BaseCheckpointSaver) -> None:
    async def scenario() -> None:
        parent = _config("async")
        made = await saver.aput(
            parent,
            _checkpoint({"n": 1}, {"n": 1}),
            {"source": "input", "step": -1, "parents": {}},
            {"n": 1},
        )
        await saver.aput_writes(made, [("n", 2)], "task")
        found = await saver.aget_tuple(made)
        assert found is not None and found.pending_writes[0].value == 2
        assert [item.config async for item in saver.alist(_config("async"))] == [made]
        async with saver.athread_lock("async", 1):
            with pytest.raises(ThreadBusyError):
                async with saver.athread_lock("async", 0.05):
                    pass
        await saver.adelete_thread("async")
        assert await saver.aget_tuple(parent) is None

    asyncio.run(scenario())


def test_put_steps_saves_consecutive_steps_in_order(saver: BaseCheckpointSaver) -> None:
    from cairngraph.checkpoint.base import StepSave

    first = _checkpoint({"n": 1}, {"n": 1})
    second = _checkpoint({"n": 2}, {"n": 2})
    made = saver.put_steps(
        [
            StepSave(
                config=_config("batch"),
                task_writes=(),
                checkpoint=first,
                metadata={"source": "input", "step": -1, "parents": {}},
                new_versions={"n": 1},
            ),
            StepSave(
                config=checkpoint_config("batch", "", first.id),
                task_writes=[TaskWrites(task_id="t", writes=[("n", 2)])],
                checkpoint=second,
                metadata={"source": "loop", "step": 0, "parents": {}},
                new_versions={"n": 2},
            ),
        ]
    )
    assert made == [
        checkpoint_config("batch", "", first.id),
        checkpoint_config("batch", "", second.id),
    ]
    latest = saver.get_tuple(_config("batch"))
    assert latest is not None and latest.checkpoint.channel_values == {"n": 2}
    assert latest.parent_config == made[0]
    assert [w.value for w in saver.get_tuple(made[0]).pending_writes] == [2]  # type: ignore[union-attr]


def test_filters_decide_the_same_way_on_every_saver(saver: BaseCheckpointSaver) -> None:
    parent = _config("f")
    for step, metadata in enumerate(
        [{'a"b': "x", "flag": True}, {"a'b": "y", "flag": False}, {"flag": 1}, {"n": None}]
    ):
        checkpoint = _checkpoint({"n": step}, {"n": step + 1})
        full = {"source": "loop", "step": step, "parents": {}, **metadata}
        parent = saver.put(parent, checkpoint, full, {"n": step + 1})  # type: ignore[arg-type]

    def steps(**filter: Any) -> list[int]:
        found = saver.list(_config("f"), filter=filter)
        return [item.metadata["step"] for item in found]

    assert steps(**{'a"b': "x"}) == [0]
    assert steps(**{"a'b": "y"}) == [1]
    # Python's equality everywhere: 1 == True, 0 == False.
    assert steps(flag=1) == [2, 0]
    assert steps(flag=True) == [2, 0]
    assert steps(flag=0) == [1]
    assert steps(n=None) == [3]
    assert steps(source="loop", step=2) == [2]
    assert steps(missing=None) == []


def test_filter_and_limit_page_through_a_long_thread(saver: BaseCheckpointSaver) -> None:
    parent = _config("p")
    for step in range(450):
        checkpoint = _checkpoint({"n": step}, {"n": step + 1})
        metadata = {"source": "loop", "step": step, "parents": {}, "rare": step % 150 == 7}
        parent = saver.put(parent, checkpoint, metadata, {"n": step + 1})  # type: ignore[arg-type]
    rare = list(saver.list(_config("p"), filter={"rare": True}, limit=2))
    assert [item.metadata["step"] for item in rare] == [307, 157]
    assert [item.checkpoint.channel_values for item in rare] == [{"n": 307}, {"n": 157}]
    everything = list(saver.list(_config("p"), filter={"rare": True}))
    assert [item.metadata["step"] for item in everything] == [307, 157, 7]
    assert list(saver.list(_config("p"), filter={"rare": True}, limit=0)) == []
    before = list(saver.list(_config("p"), filter={"rare": True}, before=rare[0].config, limit=5))
    assert [item.metadata["step"] for item in before] == [157, 7]


def test_async_step_methods(saver: BaseCheckpointSaver) -> None:
    from cairngraph.checkpoint.base import StepSave

    async def scenario() -> None:
        first = await saver.aput(
            _config("astep"),
            _checkpoint({"n": 1}, {"n": 1}),
            {"source": "input", "step": -1, "parents": {}},
            {"n": 1},
        )
        second = await saver.aput_step(
            first,
            [TaskWrites(task_id="t1", writes=[("n", 2)])],
            _checkpoint({"n": 2}, {"n": 2}),
            {"source": "loop", "step": 0, "parents": {}},
            {"n": 2},
        )
        third = _checkpoint({"n": 3}, {"n": 3})
        made = await saver.aput_steps(
            [
                StepSave(
                    config=second,
                    task_writes=[TaskWrites(task_id="t2", writes=[("n", 3)])],
                    checkpoint=third,
                    metadata={"source": "loop", "step": 1, "parents": {}},
                    new_versions={"n": 3},
                )
            ]
        )
        assert made == [checkpoint_config("astep", "", third.id)]
        found = [item async for item in saver.alist(_config("astep"))]
        assert [item.checkpoint.channel_values["n"] for item in found] == [3, 2, 1]
        assert [[w.value for w in item.pending_writes] for item in found] == [[], [3], [2]]
        assert (await saver.averify()).ok

    asyncio.run(scenario())


def test_a_step_that_fails_to_save_leaves_nothing_of_itself(saver: BaseCheckpointSaver) -> None:
    from cairngraph.errors import SerializationError

    parent = _chain(saver, "atomic", 1)[0]

    class Unstorable:
        pass

    before = [item.checkpoint.id for item in saver.list(_config("atomic"))]
    with pytest.raises(SerializationError):
        saver.put_step(
            parent,
            [TaskWrites(task_id="ok", writes=[("n", 7)])],
            _checkpoint({"n": Unstorable()}, {"n": 2, "big": 1}),
            {"source": "loop", "step": 1, "parents": {}},
            {"n": 2},
        )
    assert [item.checkpoint.id for item in saver.list(_config("atomic"))] == before
    saved = saver.get_tuple(parent)
    assert saved is not None and saved.pending_writes == []
    assert saver.verify().ok


def test_delete_thread_frees_values_no_other_thread_uses(saver: BaseCheckpointSaver) -> None:
    shared, own = "s" * 10_000, "o" * 10_000
    for thread, value in (("one", shared), ("two", shared), ("three", own)):
        checkpoint = _checkpoint({"doc": value}, {"doc": 1})
        saver.put(_config(thread), checkpoint, {"source": "input", "step": -1}, {"doc": 1})
    saver.delete_thread("one")
    saver.delete_thread("three")
    two = saver.get_tuple(_config("two"))
    assert two is not None and two.checkpoint.channel_values == {"doc": shared}
    assert saver.get_tuple(_config("one")) is None and saver.get_tuple(_config("three")) is None
    assert saver.verify().ok
