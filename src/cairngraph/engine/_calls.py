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
  saves each step before the next (``durability="sync"``); otherwise they
  are kept on the calling task and saved if its step fails or pauses;
- an error or interrupt of a call reaches the caller through the future, so
  the caller fails or pauses with it; a failed or paused call runs again on
  the next attempt, a finished one never does;
- when the caller's attempt times out, its calls still running are cancelled
  (nothing of theirs is saved) and it can start no more.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cairngraph.cache.base import BaseCache, FullKey
from cairngraph.checkpoint.base import (
    INTERRUPT,
    RESUME,
    BaseCheckpointSaver,
    RunnableConfig,
    checkpoint_config,
)
from cairngraph.constants import PUSH, RETURN
from cairngraph.engine import events
from cairngraph.engine._context import TaskContext, interrupt_id, task_namespace
from cairngraph.engine.algo import NodeSpec, Task, task_id_for
from cairngraph.engine.effects import NO_CALLS, StepCalls
from cairngraph.errors import GraphInterrupt, InvalidConfigError

if TYPE_CHECKING:
    from cairngraph.engine.drivers import TaskRunner

__all__ = ["CallSite", "wait_started", "await_started"]

Future = concurrent.futures.Future[Any] | asyncio.Future[Any]


class CallSite:
    """How the tasks of one step start calls: shared by every task of the step."""

    __slots__ = ("cache", "loop", "pool", "runner", "saver", "step")

    def __init__(
        self,
        runner: TaskRunner,
        saver: BaseCheckpointSaver | None,
        cache: BaseCache[Any] | None,
        pool: concurrent.futures.Executor,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """The calls of one run's tasks; ``loop`` is the async run's event loop."""
        self.runner = runner
        self.step: StepCalls = NO_CALLS
        """What the step running now gives its calls (set by the driver for each step)."""
        self.saver = saver
        self.pool = pool
        self.loop = loop
        self.cache = cache

    def call(self, caller: TaskContext, node: NodeSpec, input: Any) -> Future:
        """Start ``node`` with ``input`` as a call of ``caller``; the future of its result."""
        if caller.timed_out:
            # What is left of an attempt that timed out (it is being cancelled) starts nothing.
            raise asyncio.CancelledError
        caller.progress()
        index = caller.call_count
        caller.call_count += 1
        if caller.unsaved is None:
            caller.unsaved = []  # before the call's context is made: it shares the list
        if caller.started is None:
            caller.started = []
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
        self._report(task, "task", events.task_payload(task))
        saved = self.step.pending.get(child_id, ())
        for channel, value in saved:
            if channel == RETURN:
                return self._done(value)
        self._bind_answers(task, saved)
        if self.step.answers:
            # Answers given by interrupt id reach their own call only: the caller holds one
            # because its saved interrupts include its calls', and no other call may take it.
            caller.has_pending_resume = False
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
        answers = self.step.answers
        waiting = interrupt_id(task.namespace, len(task.resumes))
        if waiting in answers:
            task.pending_resume = (True, answers[waiting])
        elif any(channel == INTERRUPT for channel, _ in saved):
            for channel, value in saved:
                if channel == INTERRUPT:
                    for item in value:
                        if item.id in answers:
                            task.pending_resume = (True, answers[item.id])

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
            cache = self.cache
            key = self._cache_key(task)
            hit = cache.get([key]).get(key) if cache is not None and key is not None else None
            if hit is not None:
                _from_cache(task, hit)
            else:
                self.runner.run_sync(task, caller)
            if self.saver is not None and self.step.save:
                self.saver.put_writes(self._checkpoint(task), _persisted(task), task.id)
            else:
                assert caller.unsaved is not None
                caller.unsaved.append((task.id, _persisted(task)))
            if cache is not None and key is not None and hit is None and _cacheable(task):
                cache.set({key: (_cache_entry(task), _ttl(task))})
            self._finished(task)
            return _outcome(task)

        return self.pool.submit(contextvars.copy_context().run, work)

    def _start_on_loop(self, task: Task, caller: TaskContext) -> Future:
        assert self.loop is not None

        async def work() -> Any:
            cache = self.cache
            key = self._cache_key(task)
            hit = (await cache.aget([key])).get(key) if cache is not None and key else None
            if hit is not None:
                _from_cache(task, hit)
            else:
                await self.runner.run_async(task, caller)
            if self.saver is not None and self.step.save:
                await self.saver.aput_writes(self._checkpoint(task), _persisted(task), task.id)
            else:
                assert caller.unsaved is not None
                caller.unsaved.append((task.id, _persisted(task)))
            if cache is not None and key is not None and hit is None and _cacheable(task):
                await cache.aset({key: (_cache_entry(task), _ttl(task))})
            self._finished(task)
            return _outcome(task)

        if _on(self.loop):
            return asyncio.ensure_future(work())
        # A sync caller running in a worker thread of an async run.
        return asyncio.run_coroutine_threadsafe(work(), self.loop)

    def _checkpoint(self, task: Task) -> RunnableConfig:
        """The config of the checkpoint the call's step runs from (where its writes go)."""
        scope = self.runner.scope
        return checkpoint_config(scope.thread_id or "", scope.namespace, task.checkpoint_id)

    def _cache_key(self, task: Task) -> FullKey | None:
        node_cache = task.node.cache
        return None if node_cache is None or self.cache is None else node_cache.key(task.input)

    def _finished(self, task: Task) -> None:
        """Report a finished call: ``updates`` (unless it failed or paused), then ``tasks``."""
        if task.error is None and not task.paused:
            chunk: dict[str, Any] = {task.name: task.result}
            if task.cached:
                chunk["__metadata__"] = {"cached": True}
            self._put("updates", chunk)
        self._report(task, "task_result", events.task_result_payload(task, (RETURN,)))

    def _report(self, task: Task, kind: str, payload: dict[str, Any]) -> None:
        sink = self.runner.scope.sink
        if sink is not None and sink.modes & events.TASK_MODES:
            for event in events.emit(sink.modes, kind, task.step, payload):
                self._put(event.mode, event.chunk)

    def _put(self, mode: str, chunk: Any) -> None:
        """A chunk for the caller of the run, as the loop's own chunks reach it."""
        scope = self.runner.scope
        sink = scope.sink
        if sink is None or mode not in sink.modes:
            return
        namespace = tuple(scope.namespace.split("|")) if scope.namespace else ()
        if scope.forward or scope.drains or not namespace:
            sink.put(namespace, mode, chunk)


def _from_cache(task: Task, entry: Any) -> None:
    task.writes = [(channel, value) for channel, value in entry["writes"]]
    task.result = entry["result"]
    task.cached = True


def _cacheable(task: Task) -> bool:
    return task.error is None and not task.paused and not task.cached


def _cache_entry(task: Task) -> dict[str, Any]:
    return {"writes": [list(write) for write in task.writes], "result": task.result}


def _ttl(task: Task) -> float | None:
    assert task.node.cache is not None
    ttl = task.node.cache.policy.ttl
    return None if ttl is None else float(ttl)


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
    waiting = [f for f in context.started or () if isinstance(f, concurrent.futures.Future)]
    if waiting:
        concurrent.futures.wait(waiting)


async def await_started(context: TaskContext) -> None:
    """Async twin of :func:`wait_started`, for a coroutine task."""
    started = context.started or ()
    waiting = [f for f in started if isinstance(f, asyncio.Future) and not f.done()]
    if waiting:
        await asyncio.wait(waiting)
    wait_started(context)
