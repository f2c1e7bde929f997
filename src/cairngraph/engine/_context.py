"""What a running node can reach without parameters: its task's interrupt state.

The engine sets :data:`_CURRENT` around each task; ``interrupt()`` and a
subgraph invoked inside a node read it. Each task runs in its own copy of the
context, so concurrent tasks never see each other's.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairngraph.errors import GraphInterrupt

if TYPE_CHECKING:
    from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig

__all__ = ["TaskContext", "current_task", "interrupt_id", "maybe_current_task"]


def interrupt_id(namespace: str, index: int) -> str:
    """A stable id for the ``index``-th interrupt of the task at ``namespace``."""
    return hashlib.blake2b(f"{namespace}|{index}".encode(), digest_size=16).hexdigest()


@dataclass(slots=True, kw_only=True)
class TaskContext:
    """The running task as seen from inside its node.

    ``resumes`` are the answers already given to this task's interrupts, in
    order; ``pending_resume`` is an answer not yet bound to an interrupt (from
    ``Command(resume=value)``), taken by the first interrupt that needs one.
    """

    task_id: str
    name: str
    namespace: str
    config: RunnableConfig
    checkpointer: BaseCheckpointSaver | None
    resumes: list[Any] = field(default_factory=list)
    pending_resume: Any = None
    has_pending_resume: bool = False
    counter: int = 0
    resumes_changed: bool = False
    parents: dict[str, str] = field(default_factory=dict)
    """``checkpoint_ns → checkpoint_id`` of the graphs this task runs inside (subgraph metadata)."""

    def interrupt(self, value: Any) -> Any:
        from cairngraph.types import Interrupt

        index = self.counter
        self.counter += 1
        if index < len(self.resumes):
            return self.resumes[index]
        if self.has_pending_resume:
            answer = self.pending_resume
            self.has_pending_resume = False
            self.resumes.append(answer)
            self.resumes_changed = True
            return answer
        raise GraphInterrupt([Interrupt(value=value, id=interrupt_id(self.namespace, index))])

    def take_pending_resume(self) -> tuple[bool, Any]:
        """Hand an unbound resume answer to a subgraph run inside this task."""
        if not self.has_pending_resume:
            return False, None
        self.has_pending_resume = False
        return True, self.pending_resume


_CURRENT: ContextVar[TaskContext | None] = ContextVar("cairngraph_task", default=None)


def current_task() -> TaskContext:
    """The task running now; a clear error outside a node."""
    found = _CURRENT.get()
    if found is None:
        from cairngraph.errors import InvalidConfigError

        raise InvalidConfigError(
            "interrupt() was called outside a running node. Call it from inside a node "
            "function of a graph compiled with a checkpointer."
        )
    return found


def maybe_current_task() -> TaskContext | None:
    return _CURRENT.get()


def set_current(task: TaskContext | None) -> Any:
    return _CURRENT.set(task)
