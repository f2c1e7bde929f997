"""Finding a thread's checkpoints from what a user types.

Invariants:

- A checkpoint is named by its whole id, by a prefix of it that only one of
  the thread's checkpoints has, or by ``latest``; anything else is a
  :class:`NotFoundError` that says what the thread holds.
- A thread with no checkpoint is not found (exit code 1), never an empty answer.
"""

from __future__ import annotations

from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple, RunnableConfig
from cairngraph.cli._view import checkpoint_id
from cairngraph.errors import CairnGraphError

__all__ = ["NotFoundError", "place", "resolve", "thread_items"]


class NotFoundError(CairnGraphError, LookupError):
    """The thread or checkpoint a command names is not in the store."""


def place(thread_id: str, ns: str = "", checkpoint: str | None = None) -> RunnableConfig:
    """The config naming a thread's namespace, and a checkpoint in it if given."""
    configurable: dict[str, str] = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint is not None:
        configurable["checkpoint_id"] = checkpoint
    return {"configurable": configurable}


def thread_items(saver: BaseCheckpointSaver, thread_id: str, ns: str = "") -> list[CheckpointTuple]:
    """Every checkpoint of the thread's namespace, newest first; not found when none."""
    items = list(saver.list_eager(place(thread_id, ns)))
    if not items:
        raise _no_thread(saver, thread_id, ns)
    return items


def resolve(
    saver: BaseCheckpointSaver, thread_id: str, ns: str, ref: str | None
) -> CheckpointTuple:
    """The checkpoint ``ref`` names in the thread (``None`` or ``latest``: the newest)."""
    if ref is None or ref == "latest":
        found = saver.get_tuple(place(thread_id, ns))
        if found is None:
            raise _no_thread(saver, thread_id, ns)
        return found
    exact = saver.get_tuple(place(thread_id, ns, ref))
    if exact is not None:
        return exact
    items = thread_items(saver, thread_id, ns)
    matching = [item for item in items if checkpoint_id(item).startswith(ref)]
    if len(matching) == 1:
        return matching[0]
    if not matching:
        raise NotFoundError(
            f"thread {thread_id!r} has no checkpoint {ref!r} (it has {len(items)}); list them "
            f"with: cairn history {thread_id}"
        )
    raise NotFoundError(
        f"{ref!r} starts {len(matching)} checkpoint ids of thread {thread_id!r}; give more of "
        "the id"
    )


def _no_thread(saver: BaseCheckpointSaver, thread_id: str, ns: str) -> NotFoundError:
    where = f" namespace {ns!r}" if ns else ""
    if ns and saver.get_tuple(place(thread_id)) is not None:
        return NotFoundError(f"thread {thread_id!r} has no checkpoints in{where}; check --ns")
    return NotFoundError(
        f"thread {thread_id!r}{where} is not in this store; list threads with: cairn threads"
    )
