"""The payloads of ``stream_mode="debug"``: checkpoint, task and task_result events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint.base import (
    Checkpoint,
    CheckpointMetadata,
    RunnableConfig,
    checkpoint_config,
)
from cairngraph.engine.algo import GraphSpec, Task, prepare_tasks
from cairngraph.engine.channels import Channel

if TYPE_CHECKING:
    from cairngraph.engine.loop import RunOptions

__all__ = ["checkpoint_event", "task_event", "task_result_event"]


def _event(kind: str, step: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "step": step,
        "timestamp": datetime.now(UTC).isoformat(),
        "type": kind,
        "payload": payload,
    }


def checkpoint_event(
    spec: GraphSpec,
    channels: Mapping[str, Channel],
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    parent: RunnableConfig | None,
    opts: RunOptions,
) -> dict[str, Any]:
    tasks = prepare_tasks(
        spec,
        channels,
        checkpoint.channel_versions,
        checkpoint.versions_seen,
        checkpoint_id=checkpoint.id,
        namespace=opts.namespace,
    )
    payload = {
        "config": checkpoint_config(opts.thread_id or "", opts.namespace, checkpoint.id),
        "parent_config": parent,
        "values": spec.values(channels),
        "metadata": metadata,
        "next": [task.name for task in tasks],
        "tasks": [
            {"id": task.id, "name": task.name, "interrupts": (), "state": None} for task in tasks
        ],
    }
    return _event("checkpoint", int(metadata.get("step", 0)), payload)


def task_event(step: int, task: Task) -> dict[str, Any]:
    payload = {"id": task.id, "name": task.name, "input": task.input, "triggers": task.triggers}
    return _event("task", step, payload)


def task_result_event(step: int, task: Task) -> dict[str, Any]:
    payload = {
        "id": task.id,
        "name": task.name,
        "error": None if task.error is None else repr(task.error),
        "result": list(task.writes),
        "interrupts": list(task.interrupts),
    }
    return _event("task_result", step, payload)
