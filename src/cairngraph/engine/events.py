"""The payloads of the ``checkpoints`` and ``tasks`` stream modes, and ``debug``'s events."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint.base import (
    Checkpoint,
    CheckpointMetadata,
    RunnableConfig,
    checkpoint_config,
)
from cairngraph.constants import PUSH
from cairngraph.engine.algo import GraphSpec, Task, prepare_tasks
from cairngraph.engine.channels import Channel
from cairngraph.engine.effects import Emit

if TYPE_CHECKING:
    from cairngraph.engine.loop import RunOptions

__all__ = [
    "CHECKPOINT_MODES",
    "TASK_MODES",
    "checkpoint_payload",
    "emit",
    "task_payload",
    "task_result_payload",
]


TASK_MODES = frozenset(("debug", "tasks"))
CHECKPOINT_MODES = frozenset(("debug", "checkpoints"))


def emit(modes: frozenset[str], kind: str, step: int, payload: dict[str, Any]) -> Iterator[Emit]:
    """``payload`` for the ``tasks``/``checkpoints`` mode, and wrapped as a ``debug`` event."""
    plain = "checkpoints" if kind == "checkpoint" else "tasks"
    if plain in modes:
        yield Emit(plain, payload)
    if "debug" in modes:
        yield Emit(
            "debug",
            {
                "step": step,
                "timestamp": datetime.now(UTC).isoformat(),
                "type": kind,
                "payload": payload,
            },
        )


def checkpoint_payload(
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
        with_input=False,
    )
    return {
        "config": _as_streamed(
            checkpoint_config(opts.thread_id or "", opts.namespace, checkpoint.id)
        ),
        "parent_config": None if parent is None else _as_streamed(parent),
        "values": spec.values(channels),
        "metadata": metadata,
        "next": [task.name for task in tasks],
        "tasks": [
            {"id": task.id, "name": task.name, "interrupts": (), "state": None} for task in tasks
        ],
    }


def _as_streamed(config: RunnableConfig) -> RunnableConfig:
    """A checkpoint's config as LangGraph's streamed payloads write it: the namespace
    first (``get_state`` gives the thread first)."""
    configurable = config.get("configurable") or {}
    if "checkpoint_ns" not in configurable:
        return config
    ordered = {"checkpoint_ns": configurable["checkpoint_ns"]}
    ordered.update((key, value) for key, value in configurable.items() if key != "checkpoint_ns")
    return {**config, "configurable": ordered}


def task_payload(task: Task) -> dict[str, Any]:
    # An error handler's task has no trigger: LangGraph lists it as pushed.
    triggers = task.triggers or (PUSH,)
    return {"id": task.id, "name": task.name, "input": task.input, "triggers": triggers}


def task_result_payload(task: Task, state_keys: tuple[str, ...]) -> dict[str, Any]:
    keys = set(state_keys)
    return {
        "id": task.id,
        "name": task.name,
        "error": task.error,  # the exception itself, as LangGraph gives it
        "result": {key: value for key, value in task.writes if key in keys},
        # As LangGraph: each interrupt as a dict of its fields.
        "interrupts": [dataclasses.asdict(item) for item in task.interrupts],
    }
