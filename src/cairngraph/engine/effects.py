"""What the run loop asks its driver to do: the only I/O a run performs.

The loop (``loop.py``) is a generator that yields these requests; the sync
and async drivers (``drivers.py``) carry them out and send the result back.
Keeping I/O behind this small vocabulary is what lets one loop serve both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.cache.base import FullKey
from cairngraph.checkpoint.base import RunnableConfig, StepSave
from cairngraph.engine.algo import Task

__all__ = [
    "NO_CALLS",
    "CacheRead",
    "CacheWrite",
    "Emit",
    "Execute",
    "Flush",
    "Load",
    "SaveStep",
    "SaveWrites",
    "StepCalls",
]


@dataclass(frozen=True, slots=True)
class Load:
    """Read one checkpoint tuple (``get_tuple``); the reply is the tuple or None."""

    config: RunnableConfig


@dataclass(frozen=True, slots=True)
class SaveStep:
    """Save one step: its tasks' last writes and the checkpoint that closes it.

    The driver calls ``saver.put_steps([step])`` (``aput_steps`` when async).
    ``background`` lets it overlap the save with the next step
    (``durability="async"``); saves always happen in the order requested.
    """

    step: StepSave
    background: bool = False


@dataclass(frozen=True, slots=True)
class SaveWrites:
    """Save one task's writes against a checkpoint (``put_writes`` / ``aput_writes``)."""

    config: RunnableConfig
    writes: Sequence[tuple[str, Any]]
    task_id: str
    task_path: str = ""


@dataclass(frozen=True, slots=True)
class Flush:
    """Wait until every background save has finished (and raise its error)."""


@dataclass(frozen=True, slots=True)
class StepCalls:
    """What ``@task`` calls made by a step's tasks need from the step.

    ``pending`` are the writes saved against the step's checkpoint, by task
    id, so a call that finished before returns its saved result; ``answers``
    are resume values by interrupt id; with ``save`` set, each call's writes
    are saved against the step's checkpoint as the call finishes.
    """

    pending: Mapping[str, Sequence[tuple[str, Any]]]
    answers: Mapping[str, Any]
    save: bool


NO_CALLS = StepCalls({}, {}, save=False)
"""A step with nothing saved, no answers and no saving as calls finish."""


@dataclass(frozen=True, slots=True)
class Execute:
    """Run ``tasks`` concurrently; each records its writes, error or interrupts.

    With ``save_to`` set, the driver saves each task's writes against that
    checkpoint config as soon as the task finishes.

    Tasks may start tasks of their own (``@task`` calls): ``calls`` is what
    those need from the step.
    """

    tasks: Sequence[Task]
    save_to: RunnableConfig | None
    calls: StepCalls = NO_CALLS
    failures_to: RunnableConfig | None = None
    """Where a failure an error handler takes is saved before the handler starts (when
    ``save_to`` is None: a lone task's writes otherwise go with the step's checkpoint)."""


@dataclass(frozen=True, slots=True)
class Emit:
    """A stream chunk for the caller: ``mode`` is ``values``, ``updates``, ``debug``, ...

    ``namespace`` names the subgraph it comes from (``()`` for the root graph).
    """

    mode: str
    chunk: Any
    namespace: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CacheRead:
    """Look ``keys`` up in the graph's cache (``get`` / ``aget``); the reply is the hits."""

    keys: Sequence[FullKey]


@dataclass(frozen=True, slots=True)
class CacheWrite:
    """Store ``key: (value, ttl)`` pairs in the graph's cache (``set`` / ``aset``)."""

    pairs: Mapping[FullKey, tuple[Any, float | None]]
