"""Tasks started from inside a running task: the Functional API's ``@task`` calls.

A call made while a task runs becomes a child task of the same step. Its id
comes from the checkpoint, the caller's namespace, the called function's name,
the caller's path and the call's position among the caller's calls, so running
the caller again from the same checkpoint (after a crash, an error or an
interrupt) gives each call the id it had before.

Invariants:

- a call whose result was saved (a ``__return__`` write under its id) is not
  run again: its future holds the saved result at once;
- any other call runs concurrently with its caller (a worker thread in sync
  runs, an asyncio task in async ones), with its own retry policy, and its
  writes (result, error or interrupts) are saved as it finishes when the run
  saves each step before the next (``durability="sync"``);
- an error or interrupt of a call reaches the caller through the future, so
  the caller fails or pauses with it; a failed or paused call runs again on
  the next attempt, a finished one never does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint.base import INTERRUPT, RESUME, BaseCheckpointSaver, RunnableConfig
from cairngraph.constants import PUSH, RETURN
from cairngraph.engine._context import TaskContext, interrupt_id, task_namespace
from cairngraph.engine.algo import NodeSpec, Task, task_id_for
from cairngraph.errors import GraphInterrupt, InvalidConfigError

if TYPE_CHECKING:
    from cairngraph.engine.drivers import TaskRunner

__all__ = ["CallSite", "wait_started", "await_started"]

Future = concurrent.futures.Future[Any] | asyncio.Future[Any]


class CallSite:
    """How the tasks of one step start calls: shared by every task of the step."""

    __slots__ = ("answers", "loop", "pending", "pool", "runner", "save_to", "saver")

    def __init__(
        self,
        runner: TaskRunner,
        *,
        pending: Mapping[str, Sequence[tuple[str, Any]]],
        answers: Mapping[str, Any],
        save_to: RunnableConfig | None,
        saver: BaseCheckpointSaver | None,
        pool: concurrent.futures.Executor,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.runner = runner
        self.pending = pending
        self.answers = answers
        self.save_to = save_to if saver is not None else None
        self.saver = saver
        self.pool = pool
        self.loop = loop

    def call(self, caller: TaskContext, node: NodeSpec, input: Any) -> Future:
        """Start ``node`` with ``input`` as a call of ``caller``; the future of its result."""
        index = caller.call_count
        caller.call_count += 1
        path = (PUSH, caller.path, index)
        child_id = task_id_for(caller.checkpoint_id, caller.namespace, node.name, path)
        task = Task(
            id=child_id,
            name=node.name,
            path=path,
            input=input,
            node=node,
            triggers=(PUSH,),
            checkpoint_id=caller.checkpoint_id,
            step=caller.step,
            namespace=task_namespace(caller.namespace, node.name, child_id),
        )
        saved = self.pending.get(child_id, ())
        for channel, value in saved:
            if channel == RETURN:
                return self._done(value)
        self._bind_answers(task, saved)
        if self.loop is None:
            future: Future = self._start_in_pool(task, caller)
        else:
            future = self._start_on_loop(task, caller)
        caller.started.append(future)
        return future

    def _bind_answers(self, task: Task, saved: Sequence[tuple[str, Any]]) -> None:
        """The answers the call already had, and one given now to the interrupt it paused on."""
        for channel, value in saved:
            if channel == RESUME:
                task.resumes = list(value)
        assert task.namespace is not None
        waiting = interrupt_id(task.namespace, len(task.resumes))
        if waiting in self.answers:
            task.pending_resume = (True, self.answers[waiting])
        elif any(channel == INTERRUPT for channel, _ in saved):
            for channel, value in saved:
                if channel == INTERRUPT:
                    for item in value:
                        if item.id in self.answers:
                            task.pending_resume = (True, self.answers[item.id])

    def _done(self, value: Any) -> Future:
        """A future already holding ``value``, of the kind the caller awaits."""
        if self.loop is not None and _on(self.loop):
            future: asyncio.Future[Any] = self.loop.create_future()
            future.set_result(value)
            return future
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()
        done.set_result(value)
        return done

    def _start_in_pool(self, task: Task, caller: TaskContext) -> concurrent.futures.Future[Any]:
        if task.node.run is None:
            raise InvalidConfigError(
                f"task {task.name!r} is an async function, which invoke()/stream() cannot run. "
                "Use ainvoke()/astream() on the entrypoint, or make the task a plain function."
            )

        def work() -> Any:
            self.runner.run_sync(task, caller)
            if self.save_to is not None:
                assert self.saver is not None
                self.saver.put_writes(self.save_to, _persisted(task), task.id)
            self._report(task, caller)
            return _outcome(task)

        return self.pool.submit(contextvars.copy_context().run, work)

    def _start_on_loop(self, task: Task, caller: TaskContext) -> Future:
        assert self.loop is not None

        async def work() -> Any:
            await self.runner.run_async(task, caller)
            if self.save_to is not None:
                assert self.saver is not None
                await self.saver.aput_writes(self.save_to, _persisted(task), task.id)
            self._report(task, caller)
            return _outcome(task)

        if _on(self.loop):
            return asyncio.ensure_future(work())
        # A sync caller running in a worker thread of an async run.
        return asyncio.run_coroutine_threadsafe(work(), self.loop)

    def _report(self, task: Task, caller: TaskContext) -> None:
        """A finished call's result as an ``updates`` chunk, as LangGraph streams it."""
        scope = self.runner.scope
        sink = scope.sink
        if sink is None or "updates" not in sink.modes or task.error is not None or task.paused:
            return
        namespace = tuple(scope.namespace.split("|")) if scope.namespace else ()
        if scope.forward or not namespace:
            sink.put(namespace, "updates", {task.name: task.result})


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _persisted(task: Task) -> list[tuple[str, Any]]:
    from cairngraph.engine.loop import persisted_writes

    return persisted_writes(task)


def _outcome(task: Task) -> Any:
    if task.error is not None:
        raise task.error
    if task.paused:
        raise GraphInterrupt(task.interrupts)
    return task.result


def wait_started(context: TaskContext) -> None:
    """Wait until every call ``context`` started has finished (their errors stay in them)."""
    waiting = [f for f in context.started if isinstance(f, concurrent.futures.Future)]
    if waiting:
        concurrent.futures.wait(waiting)


async def await_started(context: TaskContext) -> None:
    """Async twin of :func:`wait_started`, for a coroutine task."""
    waiting = [f for f in context.started if isinstance(f, asyncio.Future) and not f.done()]
    if waiting:
        await asyncio.wait(waiting)
    wait_started(context)
