"""LangGraph's own conformance suite (``langgraph-checkpoint-conformance``) on cairngraph's savers.

The suite drives a saver only through LangGraph's ``BaseCheckpointSaver``
protocol (``aput`` with LangGraph checkpoint dicts, ``aput_writes``,
``aget_tuple``, ``alist``, ``adelete_thread``, and the extensions
``adelete_for_runs``, ``acopy_thread``, ``aprune``), so passing it means
code written against LangGraph's savers works against ours. Each saver of
``tests/savers.py`` runs it, each capability on a fresh saver; every test of
every capability the saver has must pass, and the count of tests run is
pinned so that a suite that silently ran nothing fails.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from cairngraph.checkpoint.base import BaseCheckpointSaver
from tests.savers import SAVER_FACTORIES

CAPABILITIES = {
    "put": 17,
    "put_writes": 10,
    "get_tuple": 10,
    "list": 16,
    "delete_thread": 5,
    "delete_for_runs": 7,
    "copy_thread": 8,
    "prune": 8,
}
"""Every capability of the suite (the first five are LangGraph's base protocol, the
last three its extensions) and how many tests it has in the installed version."""


def run_suite(name: str, tmp_path: Path) -> tuple[dict[str, Any], list[str]]:
    """The suite's report for saver ``name`` and the failing tests with their last error line."""
    failures: list[str] = []

    async def fresh_saver() -> AsyncIterator[BaseCheckpointSaver]:
        # One new saver per capability, as the suite asks, each in a folder of its own.
        with SAVER_FACTORIES[name](Path(tempfile.mkdtemp(dir=tmp_path))) as saver:
            yield saver

    def record(capability: str, test: str, passed: bool, error: str | None) -> None:
        if not passed:
            last = (error or "").strip().splitlines()[-1:] or [""]
            failures.append(f"{capability}/{test}: {last[0]}")

    registered = checkpointer_test(name=f"cairngraph-{name}")(fresh_saver)
    report = asyncio.run(validate(registered, progress=ProgressCallbacks(on_test_result=record)))
    return report.results, failures


@pytest.mark.parametrize("name", sorted(SAVER_FACTORIES))
def test_langgraph_conformance_suite_passes(name: str, tmp_path: Path) -> None:
    results, failures = run_suite(name, tmp_path)
    assert not failures, "\n".join(failures)
    for capability, count in CAPABILITIES.items():
        assert results[capability].detected, f"{capability} not detected on {name}"
        assert results[capability].passed, f"{capability} failed on {name}"
        assert results[capability].tests_passed == count, (capability, results[capability])


def test_sync_protocol_with_langgraph_dicts(saver: BaseCheckpointSaver) -> None:
    """The sync half of the protocol, with a dict LangGraph itself made, string versions and all."""
    from langgraph.checkpoint.base import create_checkpoint, empty_checkpoint

    from cairngraph.checkpoint.langgraph import version_of

    first = empty_checkpoint()
    first["channel_values"] = {"topic": "owls"}
    first["channel_versions"] = {"topic": "00000000000000000000000000000001.0.25"}
    config = {"configurable": {"thread_id": "lg", "checkpoint_ns": ""}}
    saved = saver.put(config, first, {"source": "input", "step": -1}, first["channel_versions"])
    assert saved["configurable"]["checkpoint_id"] == first["id"]

    second = create_checkpoint(first, None, 0)
    second["channel_versions"] = {"topic": "00000000000000000000000000000002.0.5"}
    second["versions_seen"] = {"node": {"topic": "00000000000000000000000000000001.0.25"}}
    second["channel_values"] = {"topic": "cats"}
    latest = saver.put(saved, second, {"source": "loop", "step": 0}, second["channel_versions"])
    saver.put_writes(latest, [("topic", "dogs"), ("__interrupt__", "why?")], "task-1", "~p, n")

    found = saver.get_tuple({"configurable": {"thread_id": "lg"}})
    assert found is not None
    assert found.checkpoint["id"] == second["id"] and "versions_seen" in found.checkpoint
    assert found.checkpoint.get("channel_values") == {"topic": "cats"}
    topic_v2 = (2 << 32) | (2**31)
    assert found.checkpoint["channel_versions"] == {"topic": topic_v2}
    assert found.checkpoint["versions_seen"] == {"node": {"topic": version_of("1.0.25")}}
    assert version_of("1.0.25") < topic_v2  # LangGraph's order of versions is kept
    assert found.parent_config is not None
    assert found.parent_config["configurable"]["checkpoint_id"] == first["id"]
    # Savers differ in the order of a task's normal and special writes (SQL sorts by index).
    assert sorted((w.task_id, w.channel, w.value) for w in found.pending_writes) == [
        ("task-1", "__interrupt__", "why?"),
        ("task-1", "topic", "dogs"),
    ]
    history = list(saver.list({"configurable": {"thread_id": "lg"}}))
    assert [item.checkpoint.id for item in history] == [second["id"], first["id"]]
    assert [item.checkpoint["channel_values"]["topic"] for item in history] == ["cats", "owls"]
    saver.delete_thread("lg")
    assert saver.get_tuple({"configurable": {"thread_id": "lg"}}) is None


def test_bad_langgraph_dicts_are_refused_by_name(saver: BaseCheckpointSaver) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    from cairngraph.errors import InvalidUpdateError

    config = {"configurable": {"thread_id": "bad", "checkpoint_ns": ""}}
    no_id = dict(empty_checkpoint())
    del no_id["id"]
    with pytest.raises(InvalidUpdateError, match=r"checkpoint\['id'\]"):
        saver.put(config, no_id, {}, {})  # type: ignore[arg-type]
    old = empty_checkpoint()
    old["pending_sends"] = [("node", {"x": 1})]  # type: ignore[typeddict-unknown-key]
    with pytest.raises(InvalidUpdateError, match="pending_sends"):
        saver.put(config, old, {}, {})  # type: ignore[arg-type]
    odd = empty_checkpoint()
    odd["channel_versions"] = {"x": 1.5}  # type: ignore[dict-item]
    with pytest.raises(InvalidUpdateError, match=r"channel_versions\['x'\]"):
        saver.put(config, odd, {}, {})  # type: ignore[arg-type]
    assert saver.get_tuple(config) is None
