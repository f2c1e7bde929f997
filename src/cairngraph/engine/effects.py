"""What the run loop asks its driver to do: the only I/O a run performs.

The loop (``loop.py``) is a generator that yields these requests; the sync
and async drivers (``drivers.py``) carry them out and send the result back.
Keeping I/O behind this small vocabulary is what lets one loop serve both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint.base import RunnableConfig
from cairngraph.engine.algo import Task

__all__ = ["Emit", "Execute", "Flush", "Load", "Save"]


@dataclass(frozen=True, slots=True)
class Load:
    """Read one checkpoint tuple (``get_tuple``); the reply is the tuple or None."""

    config: RunnableConfig


@dataclass(frozen=True, slots=True)
class Save:
    """Call a saver write method (``put``, ``put_writes``, ``put_step``).

    ``background`` lets the driver overlap it with the next step
    (``durability="async"``); saves always happen in the order requested.
    """

    method: str
    args: tuple[Any, ...]
    background: bool = False


@dataclass(frozen=True, slots=True)
class Flush:
    """Wait until every background save has finished (and raise its error)."""


@dataclass(frozen=True, slots=True)
class Execute:
    """Run ``tasks`` concurrently; each records its writes, error or interrupts.

    With ``save_to`` set, the driver saves each task's writes against that
    checkpoint config as soon as the task finishes.
    """

    tasks: Sequence[Task]
    save_to: RunnableConfig | None


@dataclass(frozen=True, slots=True)
class Emit:
    """A stream chunk for the caller: ``mode`` is ``values``, ``updates``, ``debug``, ...

    ``namespace`` names the subgraph it comes from (``()`` for the root graph).
    """

    mode: str
    chunk: Any
    namespace: tuple[str, ...] = ()
