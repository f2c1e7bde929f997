"""Error handlers (``add_node(error_handler=)``): which task takes a node's failure.

A task that fails for good, when its node has an error handler, gets a
handler task (:func:`handler_task`) that the driver runs right after it, in
the same step, on the same input; the step then counts the handler, not the
failure. The failure is saved naming its node (``__error_source_node__``), so
a restart finds it (:func:`saved_failures`) and runs the handler again, never
the failed node. Graphs without a handler never reach this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cairngraph.checkpoint._ids import task_id_for
from cairngraph.checkpoint.base import ERROR, ERROR_SOURCE_NODE
from cairngraph.constants import PUSH
from cairngraph.engine._context import task_namespace
from cairngraph.engine.algo import Task
from cairngraph.errors import NodeError

__all__ = ["HANDLER_PATH", "error_text", "handler_task", "saved_failures", "with_handlers"]

HANDLER_PATH = "node_error_handler"
"""The path segment of an error handler's task, after its failed task's (LangGraph's)."""


def handler_task(failed: Task, error: BaseException | str, namespace: str) -> Task:
    """The task of ``failed``'s error handler: run in the same step, on the same input.

    As in LangGraph, it nests under the failed task: its path continues the
    failed task's, its namespace is inside the failed task's, and its id is
    derived from the failed task's, so a restart finds its saved writes. It has
    no triggers of its own: the failure started it, not a channel.
    """
    handler = failed.node.error_handler
    assert handler is not None
    below = failed.namespace or task_namespace(namespace, failed.name, failed.id)
    path = (PUSH, HANDLER_PATH, failed.id)
    task_id = task_id_for(failed.checkpoint_id, below, handler.name, path)
    return Task(
        id=task_id,
        name=handler.name,
        path=(*failed.path[:3], HANDLER_PATH, False),
        input=failed.input,
        node=handler,
        triggers=(),
        channels=failed.channels,
        checkpoint_id=failed.checkpoint_id,
        step=failed.step,
        namespace=task_namespace(below, handler.name, task_id),
        node_error=NodeError(node=failed.name, error=error),
    )


def saved_failures(
    pending: Mapping[str, Sequence[tuple[str, Any]]], tasks: list[Task], namespace: str
) -> list[Task]:
    """The handlers to run again for failures saved before a restart (LangGraph's rule).

    A task whose saved writes name it as an error's source failed and was handed
    to its error handler, which then did not finish (it failed, paused or the
    process died): the task is done, and its handler runs again, told the saved
    error as text (a stored exception is never rebuilt as a type).
    """
    found: list[Task] = []
    for task in tasks:
        saved = pending.get(task.id)
        if not saved or task.node.error_handler is None:
            continue
        if not any(key == ERROR_SOURCE_NODE for key, _ in saved):
            continue
        error = next((value for key, value in saved if key == ERROR), None)
        if error is None:
            continue
        task.done = True
        found.append(handler_task(task, error_text(error), namespace))
    return found


def error_text(saved: Any) -> str:
    """A saved error as LangGraph shows it (a handler is told it; a snapshot's task error
    is it): its repr, ``"ValueError('bad')"``, kept with the error, or rebuilt from the
    type's name and the message for an error saved before the repr was. A thread
    imported from LangGraph's savers holds that text already. Never the exception
    object: nothing stored is rebuilt as a type."""
    if isinstance(saved, str):
        return saved
    if isinstance(saved, Mapping) and isinstance(saved.get("repr"), str):
        return str(saved["repr"])
    if isinstance(saved, Mapping):
        name, message = str(saved.get("type", "Exception")), str(saved.get("message", ""))
    else:
        name, message = "Exception", str(saved)
    return f"{name}({message!r})"


def with_handlers(tasks: list[Task], *, saved_failures: bool) -> list[Task]:
    """``tasks`` with the error handlers that ran, each right after the task it handled.

    With ``saved_failures`` the handled failures themselves are left out (the
    driver saved them before their handlers started).
    """
    if not any(task.handler is not None for task in tasks):
        return tasks
    found: list[Task] = []
    for task in tasks:
        handler = task.handler
        if handler is None:
            found.append(task)
            continue
        if not saved_failures:
            found.append(task)
        found.append(handler)
    return found
