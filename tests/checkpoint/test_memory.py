"""The in-memory saver's storage: appended lists kept as deltas, every kept checkpoint
loadable after pruning, damage found by verify (``checkpoint/memory.py``, ``_memory_rows.py``)."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint._memory_rows import MAX_CHAIN, Delta
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.retention import RetentionPolicy
from cairngraph.errors import CorruptDataError
from cairngraph.graph import START, StateGraph
from cairngraph.graph.message import add_messages


class Chat(TypedDict):
    messages: Annotated[list[Any], add_messages]


def _chat_app(saver: InMemorySaver) -> Any:
    graph = StateGraph(Chat)
    graph.add_node("reply", lambda state: {"messages": [("assistant", "ok " + "z" * 200)]})
    graph.add_edge(START, "reply")
    return graph.compile(checkpointer=saver)


def _config(thread: str = "chat", run: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"configurable": {"thread_id": thread}}
    if run is not None:
        config["metadata"] = {"run_id": run}
    return config


def _turn(app: Any, turn: int, config: dict[str, Any]) -> None:
    app.invoke({"messages": [("user", f"turn {turn} " + "q" * 200)]}, config)


def _stored_bytes(saver: InMemorySaver) -> int:
    """The payload bytes of every stored channel value (a delta counts its new items)."""
    return sum(
        len(blob.items[1]) if isinstance(blob, Delta) else len(blob[1])
        for blob in saver._blobs.values()
    )


def _every_checkpoint(saver: InMemorySaver, thread: str = "chat") -> dict[str, list[str]]:
    """Checkpoint id → the contents of its messages, read one by one with get_tuple."""
    found = {}
    for item in saver.list(_config(thread)):
        one = saver.get_tuple(item.config)
        assert one is not None
        messages = one.checkpoint.channel_values.get("messages", [])
        found[item.config["configurable"]["checkpoint_id"]] = [m.content for m in messages]
    return found


def test_stored_bytes_follow_the_change_not_the_history() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    sizes = []
    for turn in range(300):
        before = _stored_bytes(saver)
        _turn(app, turn, _config())
        sizes.append(_stored_bytes(saver) - before)
    messages = app.get_state(_config()).values["messages"]
    assert len(messages) == 600 and messages[-2].content.startswith("turn 299")
    whole = len(saver.serde.dumps_typed(messages)[1])
    turn_change = whole / 300  # the two messages a turn adds, encoded
    # A turn stores about its two new messages, at turn 290 as at turn 10 (stored whole,
    # turn 290 alone would be ~150 KB: 600 messages).
    early, late = statistics.median(sizes[5:25]), statistics.median(sizes[-20:])
    assert late < 1.5 * early, (early, late)
    # Each item is stored a few times (skip deltas, and a whole copy every 1024
    # appends), never once per later step: whole copies would total ~150 x ``whole``.
    assert sum(sizes) < 8 * whole, (sum(sizes), whole)
    assert sum(sizes[-100:]) / 100 < 8 * turn_change


def test_a_read_goes_through_a_bounded_chain_of_deltas() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    for turn in range(200):
        _turn(app, turn, _config())
    space = saver._threads["chat"][""]
    longest = 0
    for checkpoint_id in space.ids:
        version = space.saved[checkpoint_id].checkpoint.channel_versions.get("messages")
        if version is None:
            continue
        blob, depth = saver._blobs[("chat", "", "messages", version)], 0
        while isinstance(blob, Delta):
            depth += 1
            blob = saver._blobs[("chat", "", "messages", blob.base)]
        longest = max(longest, depth)
    assert 4 <= longest <= MAX_CHAIN  # deltas are used, and a read decodes few of them


def test_every_kept_checkpoint_loads_after_retention_and_run_deletion() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    for turn in range(40):
        _turn(app, turn, _config(run=f"run-{turn // 10}"))
    before = _every_checkpoint(saver)
    stored = len(saver._blobs)
    # Remove a run in the middle: later deltas build on its checkpoints' values.
    saver.delete_for_runs(["run-1"])
    after = _every_checkpoint(saver)
    assert len(after) == len(before) * 3 // 4  # one run of four
    assert all(before[checkpoint_id] == messages for checkpoint_id, messages in after.items())
    saver.sweep(RetentionPolicy(keep_last=7))
    kept = _every_checkpoint(saver)
    assert len(kept) == 7
    assert all(before[checkpoint_id] == messages for checkpoint_id, messages in kept.items())
    assert len(saver._blobs) < stored  # the values only the removed checkpoints used are freed
    assert saver.verify().ok
    # The thread goes on from what is kept, appending as before.
    _turn(app, 40, _config())
    messages = app.get_state(_config()).values["messages"]
    assert [m.content for m in messages[:-2]] == before[max(before)]
    assert len(messages) == 82


def test_prune_keep_latest_and_copy_keep_deltas_loadable() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    for turn in range(30):
        _turn(app, turn, _config())
    latest = _every_checkpoint(saver)[max(_every_checkpoint(saver))]
    saver.copy_thread("chat", "copy")
    saver.prune(["chat"])
    assert list(_every_checkpoint(saver).values()) == [latest]
    saver.delete_thread("chat")
    copied = _every_checkpoint(saver, "copy")
    assert len(copied) == 90 and copied[max(copied)] == latest
    assert all(key[0] == "copy" for key in saver._blobs)
    assert saver.verify().ok


def test_verify_and_reads_report_a_delta_whose_base_is_gone() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    for turn in range(5):
        _turn(app, turn, _config())
    latest = saver.get_tuple(_config())
    assert latest is not None
    version = latest.checkpoint.channel_versions["messages"]
    delta = saver._blobs[("chat", "", "messages", version)]
    assert isinstance(delta, Delta)
    del saver._blobs[("chat", "", "messages", delta.base)]  # damage: the base is lost
    with pytest.raises(CorruptDataError, match="base version") as raised:
        saver.get_tuple(_config())
    error = raised.value
    assert (error.thread_id, error.checkpoint_ns, error.channel) == ("chat", "", "messages")
    assert error.checkpoint_id == latest.config["configurable"]["checkpoint_id"]
    report = saver.verify()
    assert not report.ok
    assert any(problem.checkpoint_id == error.checkpoint_id for problem in report.problems)  # type: ignore[attr-defined]


def test_a_pruned_base_between_encoding_and_storing_stores_the_value_whole() -> None:
    """A delta is encoded outside the lock; if its base is freed before the store, the
    value goes whole instead of as a delta on nothing."""
    saver = InMemorySaver()
    app = _chat_app(saver)
    _turn(app, 0, _config())
    original = saver._encoded

    def encode_then_lose_the_base(*args: Any) -> Any:
        made = original(*args)
        if isinstance(made, Delta):
            del saver._blobs[(*args[0][:3], made.base)]
        return made

    saver._encoded = encode_then_lose_the_base  # type: ignore[method-assign]
    _turn(app, 1, _config())
    latest = saver.get_tuple(_config())
    assert latest is not None
    assert [m.content[:6] for m in latest.checkpoint.channel_values["messages"]] == [
        "turn 0",
        "ok zzz",
        "turn 1",
        "ok zzz",
    ]


def test_history_with_max_age_keeps_the_newest_loadable() -> None:
    saver = InMemorySaver()
    app = _chat_app(saver)
    for turn in range(12):
        _turn(app, turn, _config())
    newest = _every_checkpoint(saver)
    saver.sweep(RetentionPolicy(max_age=timedelta(microseconds=1)))
    kept = _every_checkpoint(saver)
    assert len(kept) == 1 and kept[max(kept)] == newest[max(newest)]
    assert saver.verify().ok
