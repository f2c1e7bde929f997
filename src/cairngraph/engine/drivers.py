"""The two thin shells that perform a run's effects: one sync, one async.

Both feed the same generator (:func:`~cairngraph.engine.loop.run_loop`) and
differ only in how they wait: the sync driver runs a step's tasks on a thread
pool (the first in the calling thread, and then each one the pool has not
started yet), the async driver runs coroutine nodes
as asyncio tasks and sync nodes in worker threads. Either way each task runs
in a copy of the context, so ``interrupt()`` and subgraphs see their own task.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import os
import queue
import sys
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cairngraph.cache.base import BaseCache
from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig
from cairngraph.constants import END, RETURN, ROOT, TASKS
from cairngraph.engine._calls import CallSite, await_started, wait_started
from cairngraph.engine._context import (
    _CURRENT,
    RunScope,
    TaskContext,
    set_current,
    task_namespace,
)
from cairngraph.engine._handlers import handler_task
from cairngraph.engine._stream import DONE, ChunkSink
from cairngraph.engine._timeout import (
    AttemptClock,
    Signal,
    langchain_installed,
    run_timed,
    sync_run_refused,
)
from cairngraph.engine._writer import AsyncWriter, ThreadWriter
from cairngraph.engine.algo import Task
from cairngraph.engine.effects import (
    CacheRead,
    CacheWrite,
    Emit,
    Execute,
    Flush,
    Load,
    SaveStep,
    SaveWrites,
)
from cairngraph.engine.loop import RunOutcome, persisted_writes
from cairngraph.errors import GraphInterrupt, InvalidConfigError, InvalidUpdateError, ParentCommand
from cairngraph.types import Command

__all__ = ["drive_async", "drive_sync"]

_POOL = ThreadPoolExecutor(
    max_workers=max(32, (os.cpu_count() or 1) * 8), thread_name_prefix="cairngraph"
)


_VALUE_CHANNELS = frozenset((RETURN, ROOT, END))
"""Channels whose one write is the node's whole result: a ``@task`` call's return value,
a root schema's value, an entrypoint's."""


def _result_of(writes: list[tuple[str, Any]]) -> Any:
    """What ``stream_mode="updates"`` shows for a node: its state writes, as LangGraph.

    One dict of the keys it wrote (a state object returned shows as its fields),
    or one single-key dict per write when a key is written twice; None when it
    wrote no state key (``{}``, a ``Command`` with only ``goto``). What a ``@task``
    call returned, an entrypoint's or a root schema's value, shows as it is.
    """
    state = []
    for key, value in writes:
        if key in _VALUE_CHANNELS:
            return value
        if not _is_engine_channel(key):
            state.append((key, value))
    if len(state) == 1:
        return {state[0][0]: state[0][1]}
    keys = {key for key, _ in state}
    if len(keys) < len(state):
        return [{key: value} for key, value in state]
    return dict(state) or None


def _is_engine_channel(key: str) -> bool:
    return key == TASKS or key.startswith(("branch:", "join:"))


class TaskRunner:
    """How the tasks of one run are called: what they share (:class:`RunScope`)."""

    __slots__ = ("calls", "scope", "step")

    def __init__(self, scope: RunScope) -> None:
        self.scope = scope
        self.step = 0
        self.calls: CallSite | None = None
        """How the run's tasks start ``@task`` calls (made at the run's first step)."""

    @property
    def config(self) -> RunnableConfig:
        return self.scope.config

    def context(self, task: Task, caller: TaskContext | None = None) -> TaskContext:
        namespace = task.namespace or task_namespace(self.scope.namespace, task.name, task.id)
        upward: Signal | None
        if caller is not None:
            upward = caller.progress if caller.watched else None
        else:
            upward = self.scope.progress
        timeout = task.node.timeout
        clock = None if timeout is None else AttemptClock(timeout, upward)
        return TaskContext(
            task_id=task.id,
            name=task.name,
            namespace=namespace,
            scope=self.scope,
            step=task.step,
            path=task.path,
            triggers=task.triggers,
            checkpoint_id=task.checkpoint_id,
            resumes=task.resumes,
            pending_resume=task.pending_resume[1],
            has_pending_resume=task.pending_resume[0],
            channels=caller.channels if caller is not None else task.channels,
            caller=caller,
            calls=self.calls,
            unsaved=caller.unsaved if caller is not None else None,
            read_state=None if task.channels is None else lambda: task.read_fresh([]),
            clock=clock,
            upward=upward,
            node_error=task.node_error,
        )

    def enter(self, task: Task, context: TaskContext) -> Callable[[], None]:
        """Make ``context`` the current task; the returned function undoes it."""
        token = set_current(context)
        scope = self.scope
        # context.watched, read as fields: this runs for every task.
        watched = context.clock is not None or context.upward is not None
        if "callbacks" not in scope.config and not (watched and langchain_installed()):
            if "langchain_core" not in sys.modules:
                return lambda: _CURRENT.reset(token)
            return _with_bare_run(token)
        from cairngraph.engine._messages import set_langchain_config

        if scope.messages is not None:
            scope.messages.node_started(context, task.input)
        langchain = set_langchain_config(context.node_config())

        def leave() -> None:
            langchain.var.reset(langchain)
            _CURRENT.reset(token)

        return leave

    def finish(self, task: Task, context: TaskContext, output: Any) -> None:
        if self.scope.messages is not None:
            self.scope.messages.node_finished(context, output)
        task.writes = task.node.write(output, task.read_fresh)
        if context.pushed:
            task.writes = [*context.pushed, *task.writes]
        task.result = _result_of(task.writes)
        task.resumes_changed = context.resumes_changed
        task.calls = context.unsaved or ()

    def failed(
        self, task: Task, context: TaskContext, error: Exception, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying, or None once the failure is recorded."""
        policy = task.node.retry
        engine = isinstance(error, GraphInterrupt | ParentCommand)
        if not engine and policy is not None and policy.should_retry(error, attempt):
            return policy.delay(attempt)
        task.resumes_changed = context.resumes_changed
        task.calls = context.unsaved or ()
        if isinstance(error, GraphInterrupt):
            task.interrupts = error.interrupts
            task.paused = True
        elif isinstance(error, ParentCommand) and not self.scope.namespace:
            task.error = InvalidUpdateError(
                f"node {task.name!r} returned Command(graph=Command.PARENT), but its graph is "
                "the root graph and has no parent; return the Command without graph=."
            )
        else:
            task.error = error
            if task.node.error_handler is not None:
                task.handler = handler_task(task, error, self.scope.namespace)
        return None

    def run_sync(self, task: Task, caller: TaskContext | None = None) -> None:
        """Run one task to completion in this thread, retrying as its policy says.

        ``caller`` is the task that started this one with a ``@task`` call.
        """
        run = task.node.run
        if task.node.timeout is not None:
            raise sync_run_refused(task.name, is_async=task.node.arun is not None)
        if run is None:
            raise InvalidConfigError(
                f"node {task.name!r} is an async function, which invoke()/stream() cannot run. "
                "Use ainvoke()/astream(), or make the node a plain function."
            )
        context = self.context(task, caller)
        leave = self.enter(task, context)
        # A task starting or ending is progress for a timeout above it (its caller's, or
        # the node's running its graph); without one, nothing is called.
        above = context.upward
        if above is not None:
            above()
        trace = self.scope.trace if task.node.traced else None
        try:
            for attempt in itertools.count(1):
                if trace is not None:
                    trace.start_node(task, context)
                try:
                    try:
                        output = run(task.input, context)
                        if context.started:
                            wait_started(context)
                    except ParentCommand as command:
                        output = _for_this_graph(command)
                    self.finish(task, context, output)
                    if trace is not None:
                        trace.end_node(context, output)
                    return
                except BaseException as error:
                    if trace is not None and context.trace is not None:
                        trace.fail_node(context, error)
                    if not isinstance(error, Exception):
                        raise
                    wait = self.failed(task, context, error, attempt)
                    if wait is None:
                        return
                    time.sleep(wait)
                    context.start_attempt(attempt + 1)
        finally:
            if above is not None:
                above()
            leave()

    async def run_async(self, task: Task, caller: TaskContext | None = None) -> None:
        """Async twin of :meth:`run_sync`: coroutine nodes awaited, sync nodes in a thread."""
        arun = task.node.arun
        if arun is None:
            await asyncio.to_thread(contextvars.copy_context().run, self.run_sync, task, caller)
            return
        context = self.context(task, caller)
        leave = self.enter(task, context)
        above = context.upward  # as in run_sync
        if above is not None:
            above()
        clock = context.clock
        trace = self.scope.trace if task.node.traced else None
        try:
            for attempt in itertools.count(1):
                if trace is not None:
                    await trace.astart_node(task, context)
                try:
                    try:
                        work = _attempt(arun, task, context)
                        if clock is not None:
                            work = run_timed(task.name, work, clock, lambda: context.started or ())
                        output = await work
                    except ParentCommand as command:
                        output = _for_this_graph(command)
                    self.finish(task, context, output)
                    if trace is not None:
                        await trace.aend_node(context, output)
                    return
                except BaseException as error:
                    if trace is not None and context.trace is not None:
                        await trace.afail_node(context, error)
                    if not isinstance(error, Exception):
                        raise
                    wait = self.failed(task, context, error, attempt)
                    if wait is None:
                        return
                    await asyncio.sleep(wait)
                    context.start_attempt(attempt + 1)
        finally:
            if above is not None:
                above()
            leave()


def _with_bare_run(token: Any) -> Callable[[], None]:
    """A task of a run without callbacks, once langchain-core is loaded: its ambient
    config has a parent run with no handlers, so what the node dispatches (a custom
    event) goes nowhere instead of failing, as under LangGraph, where a node is a run."""
    from cairngraph.engine._messages import set_langchain_config
    from cairngraph.engine._trace import bare_config

    bare = set_langchain_config(bare_config())

    def leave() -> None:
        bare.var.reset(bare)
        _CURRENT.reset(token)

    return leave


async def _attempt(arun: Callable[[Any, Any], Any], task: Task, context: TaskContext) -> Any:
    """One attempt of a coroutine task: its function, then the calls it started."""
    output = await arun(task.input, context)
    if context.started:
        await await_started(context)
    return output


def _for_this_graph(command: ParentCommand) -> Command[Any]:
    """A subgraph's ``Command(graph=PARENT)`` as the output of the node that ran it."""
    sent: Command[Any] = command.command
    return Command(update=sent.update, goto=sent.goto, resume=sent.resume)


def drive_sync(
    loop: Generator[Any, Any, RunOutcome],
    saver: BaseCheckpointSaver | None,
    runner: TaskRunner,
    cache: BaseCache[Any] | None = None,
) -> Generator[Emit, None, RunOutcome]:
    """Perform ``loop``'s effects in this thread; yield its stream chunks."""
    writer: ThreadWriter | None = None
    reply: Any = None
    try:
        while True:
            try:
                effect = loop.send(reply)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            reply = None
            kind = type(effect)
            if kind is Emit:
                yield effect
            elif kind is Execute:
                yield from _execute_sync(effect, saver, runner, cache)
            elif kind is SaveStep:
                assert saver is not None
                if effect.background:
                    writer = writer or ThreadWriter(saver)
                    writer.submit(effect.step)
                else:
                    saver.put_steps([effect.step])
            elif kind is SaveWrites:
                assert saver is not None
                saver.put_writes(effect.config, effect.writes, effect.task_id, effect.task_path)
            elif kind is Flush:
                if writer is not None:
                    writer.flush()
            elif kind is Load:
                assert saver is not None
                reply = saver.get_tuple(effect.config)
            elif kind is CacheRead:
                assert cache is not None
                reply = cache.get(effect.keys)
            elif kind is CacheWrite:
                assert cache is not None
                cache.set(effect.pairs)
    finally:
        if writer is not None:
            writer.close()


def _execute_sync(
    effect: Execute,
    saver: BaseCheckpointSaver | None,
    runner: TaskRunner,
    cache: BaseCache[Any] | None = None,
) -> Iterator[Emit]:
    """Run a step's tasks; with a sink, yield its chunks while they run."""
    tasks = effect.tasks
    if runner.calls is None:
        runner.calls = CallSite(runner, saver, cache, _POOL)
    runner.calls.step = effect.calls

    def one(task: Task) -> None:
        runner.run_sync(task)
        handler = task.handler
        save_to = effect.save_to
        if handler is not None:
            # As LangGraph: the failure is saved before its handler starts, so a crash
            # in the handler resumes with the handler, never the failed node.
            failures_to = save_to or effect.failures_to
            if failures_to is not None and saver is not None:
                saver.put_writes(failures_to, persisted_writes(task), task.id)
            runner.run_sync(handler)
            task = handler
        if save_to is not None and saver is not None:
            saver.put_writes(save_to, persisted_writes(task), task.id)

    sink = runner.scope.sink if runner.scope.drains else None
    if sink is None:
        if len(tasks) == 1:
            one(tasks[0])
            return
        # A task the pool has not started by the time this thread is free runs here, in
        # the context made for it: a pool thread needs the GIL to start it, which the
        # first task holds while it computes, and a hand-over costs thread switches.
        # A task that blocks still lets the pool start the others, as before.
        contexts = [contextvars.copy_context() for _ in tasks[1:]]
        futures = [
            _POOL.submit(context.run, one, task)
            for context, task in zip(contexts, tasks[1:], strict=True)
        ]
        contextvars.copy_context().run(one, tasks[0])
        for future, context, task in zip(futures, contexts, tasks[1:], strict=True):
            if future.cancel():
                context.run(one, task)
            else:
                future.result()
        return

    def one_then_done(task: Task) -> None:
        try:
            one(task)
        finally:
            sink.done()

    futures = [_POOL.submit(contextvars.copy_context().run, one_then_done, t) for t in tasks]
    remaining = len(tasks)
    while remaining:
        item = sink.queue.get()
        if item is DONE:
            remaining -= 1
        else:
            yield Emit(item[1], item[2], item[0])
    for future in futures:
        future.result()


async def drive_async(
    loop: Generator[Any, Any, RunOutcome],
    saver: BaseCheckpointSaver | None,
    runner: TaskRunner,
    cache: BaseCache[Any] | None = None,
) -> AsyncIterator[Emit | RunOutcome]:
    """Perform ``loop``'s effects on the event loop; yield chunks, then the outcome."""
    writer: AsyncWriter | None = None
    reply: Any = None
    try:
        while True:
            try:
                effect = loop.send(reply)
            except StopIteration as stop:
                yield stop.value
                return
            reply = None
            kind = type(effect)
            if kind is Emit:
                yield effect
            elif kind is Execute:
                async for chunk in _execute_async(effect, saver, runner, cache):
                    yield chunk
            elif kind is SaveStep:
                assert saver is not None
                if effect.background:
                    writer = writer or AsyncWriter(saver)
                    writer.submit(effect.step)
                else:
                    await saver.aput_steps([effect.step])
            elif kind is SaveWrites:
                assert saver is not None
                await saver.aput_writes(
                    effect.config, effect.writes, effect.task_id, effect.task_path
                )
            elif kind is Flush:
                if writer is not None:
                    await writer.flush()
            elif kind is Load:
                assert saver is not None
                reply = await saver.aget_tuple(effect.config)
            elif kind is CacheRead:
                assert cache is not None
                reply = await cache.aget(effect.keys)
            elif kind is CacheWrite:
                assert cache is not None
                await cache.aset(effect.pairs)
    finally:
        if writer is not None:
            await writer.flush()


async def _execute_async(
    effect: Execute,
    saver: BaseCheckpointSaver | None,
    runner: TaskRunner,
    cache: BaseCache[Any] | None = None,
) -> AsyncIterator[Emit]:
    """Async twin of :func:`_execute_sync`."""
    if runner.calls is None:
        runner.calls = CallSite(runner, saver, cache, _POOL, asyncio.get_running_loop())
    runner.calls.step = effect.calls

    async def one(task: Task) -> None:
        await runner.run_async(task)
        handler = task.handler
        save_to = effect.save_to
        if handler is not None:
            failures_to = save_to or effect.failures_to
            if failures_to is not None and saver is not None:
                await saver.aput_writes(failures_to, persisted_writes(task), task.id)
            await runner.run_async(handler)
            task = handler
        if save_to is not None and saver is not None:
            await saver.aput_writes(save_to, persisted_writes(task), task.id)

    sink = runner.scope.sink if runner.scope.drains else None
    if sink is None:
        if len(effect.tasks) == 1:
            await one(effect.tasks[0])
        else:
            await asyncio.gather(*(one(task) for task in effect.tasks))
        return
    loop = asyncio.get_running_loop()
    arrived = asyncio.Event()

    def wake() -> None:
        loop.call_soon_threadsafe(arrived.set)

    sink.wake = wake
    running = asyncio.ensure_future(asyncio.gather(*(one(task) for task in effect.tasks)))
    try:
        while not running.done():
            waiter = asyncio.ensure_future(arrived.wait())
            await asyncio.wait((running, waiter), return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            arrived.clear()
            for item in _drain(sink):
                yield item
        for item in _drain(sink):
            yield item
    finally:
        sink.wake = None
    running.result()


def _drain(sink: ChunkSink) -> list[Emit]:
    found: list[Emit] = []
    while True:
        try:
            item = sink.queue.get_nowait()
        except queue.Empty:
            return found
        if item is not DONE:
            found.append(Emit(item[1], item[2], item[0]))
