"""One run of a graph, written once as a generator of effects.

The loop loads the thread's checkpoint, turns the input into the first step
(a new input, a resume, or a replay that forks), then repeats supersteps
until no task is left, an interrupt pauses the run, or a task fails. Each
step's checkpoint is handed to the driver with the durability the caller
chose. The loop never touches a saver or a thread itself: it yields
:mod:`~cairngraph.engine.effects` and the driver performs them.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any

from cairngraph.cache.base import FullKey
from cairngraph.checkpoint.base import (
    ERROR,
    ERROR_SOURCE_NODE,
    INTERRUPT,
    NO_WRITES,
    RESUME,
    STATE_VERSION_WRITE,
    CheckpointTuple,
    TaskWrites,
    config_checkpoint_id,
)
from cairngraph.constants import INTERRUPT_SEEN, RAN, START
from cairngraph.engine import events
from cairngraph.engine._handlers import saved_failures, with_handlers
from cairngraph.engine._inputs import (
    apply_direct_writes,
    bind_resume,
    bind_saved_writes,
    continue_finished,
    fork,
    is_time_travel,
    saved_null_resume,
    start,
)
from cairngraph.engine._migrate import (
    may_migrate,
    migrate_loaded,
    rename_reruns,
)
from cairngraph.engine._run_state import (
    Effect,
    Migration,
    RunOptions,
    RunOutcome,
    RunState,
    advance,
    config_of,
    load_state,
    ns_hint,
    save,
    settle,
    thread_hint,
)
from cairngraph.engine.algo import GraphSpec, Task, apply_writes, finish_deferred, prepare_tasks
from cairngraph.engine.effects import (
    NO_CALLS,
    CacheRead,
    CacheWrite,
    Emit,
    Execute,
    Flush,
    Load,
    SaveWrites,
    StepCalls,
)
from cairngraph.errors import (
    CheckpointNotFoundError,
    EmptyInputError,
    GraphRecursionError,
    InvalidConfigError,
)
from cairngraph.types import Command

__all__ = ["RunOptions", "RunOutcome", "persisted_writes", "run_loop"]


def run_loop(opts: RunOptions, input: Any) -> Generator[Effect, Any, RunOutcome]:
    """The run, from the saved checkpoint to the end, as effects for a driver."""
    spec = opts.spec
    loaded: CheckpointTuple | None = None
    if opts.has_saver:
        loaded = yield Load(opts.config)
        wanted = config_checkpoint_id(opts.config)
        if loaded is None and wanted is not None:
            raise CheckpointNotFoundError(
                f"thread {opts.thread_id!r} has no checkpoint {wanted!r}"
                f"{ns_hint(opts.namespace)}. List the saved ones with "
                "get_state_history(config), or drop checkpoint_id to use the latest."
            )
    found = None
    if loaded is not None and may_migrate(spec.versioning, loaded):
        # Before anything reads it: an older checkpoint's values become this graph's.
        found = migrate_loaded(spec.versioning, loaded)
        loaded = found.loaded
    state = load_state(spec, loaded)
    if found is not None and found.from_version is not None:
        assert spec.versioning is not None
        state.applied.update(found.changed)
        state.migration = Migration(found.from_version, spec.versioning.version, found.rerun)
    # RemainingSteps counts down to this step, as in LangGraph: the loaded checkpoint's
    # step, plus one, plus the recursion limit, plus one (a new thread counts from step -2).
    stop = state.step + 1 + opts.recursion_limit + 1
    resume_map: dict[str, Any] = {}
    null_resume: tuple[bool, Any] = opts.resume_pending
    direct: list[tuple[str, Any]] = []
    saved_resume = False
    if isinstance(input, Command):
        if input.resume is not None:
            resume_map, null_resume = bind_resume(opts, state, loaded, input.resume)
            if null_resume[0] and not opts.resume_pending[0] and opts.durability != "exit":
                # Saved as the checkpoint's write of no task, as LangGraph does: a run
                # that stops before a node takes it (a crash) finds it again. (A
                # subgraph's answer comes from its parent's task, saved there.)
                direct.append((RESUME, null_resume[1]))
        if input.update is not None or input.goto:
            direct.extend(spec.nodes[START].write.command_writes(input))
        input = None
    elif input is None and not null_resume[0]:
        saved_resume = True
    if input is None:
        if loaded is None:
            raise EmptyInputError(
                f"thread {opts.thread_id!r}{ns_hint(opts.namespace)} has never run, so there "
                "is nothing to resume. Pass an input, e.g. graph.invoke({...}, config)."
            )
        if (yield from is_time_travel(opts, loaded, null_resume[0] or bool(resume_map))):
            yield from fork(opts, state)
        else:
            if saved_resume:
                null_resume = saved_null_resume(state)
            if opts.continue_into_new_nodes and not any(key != RESUME for key, _ in direct):
                continue_finished(spec, state, loaded)
        yield from apply_direct_writes(opts, state, direct)
        state.seen[INTERRUPT_SEEN] = dict(state.versions)
        state.output_shown = True
        if "values" in opts.modes:
            yield Emit("values", spec.values(state.channels))
        if opts.modes & events.CHECKPOINT_MODES and state.checkpoint_id == loaded.checkpoint.id:
            # Like LangGraph, a resumed run streams the checkpoint it resumes from
            # (a fork or an update streamed the checkpoint it made instead).
            payload = events.checkpoint_payload(
                spec, state.channels, loaded.checkpoint, loaded.metadata,
                loaded.parent_config, opts,
            )  # fmt: skip
            yield from events.emit(opts.modes, "checkpoint", state.step, payload)
    else:
        yield from start(opts, state, input)
    return (yield from _supersteps(opts, state, resume_map, null_resume, stop))


def _supersteps(
    opts: RunOptions,
    state: RunState,
    resume_map: dict[str, Any],
    null_resume: tuple[bool, Any],
    stop: int,
) -> Generator[Effect, Any, RunOutcome]:
    spec = opts.spec
    candidates: set[str] | None = None
    # A task's own calls are saved as they finish when each step is saved before
    # the next starts: the checkpoint they belong to is stored by then.
    save_calls = opts.has_saver and opts.durability == "sync"
    plain = StepCalls({}, resume_map, save_calls) if resume_map or save_calls else NO_CALLS
    while True:
        for key, manager in spec.managed.items():
            state.channels[key].value = manager.get(state.step + 1, stop)
        tasks = prepare_tasks(
            spec,
            state.channels,
            state.versions,
            state.seen,
            checkpoint_id=state.checkpoint_id,
            namespace=opts.namespace,
            candidates=candidates,
            by_name=True,
        )
        # LangGraph's arithmetic: steps run up to ``stop`` (a new thread's first step,
        # the input's, is step 0), and the limit is checked before "nothing left to
        # run", so a run that ends exactly past its limit still raises.
        if state.step + 1 > stop:
            yield from settle(opts, state)
            waiting = (
                f"without reaching END (next: {', '.join(task.name for task in tasks)})"
                if tasks
                else "as its last step ended (as in LangGraph, the limit counts that check too)"
            )
            raise GraphRecursionError(
                f"recursion limit of {opts.recursion_limit} steps reached"
                f"{thread_hint(opts)} at step {state.step + 1} {waiting}. If the graph is "
                "meant to run longer, raise it: config={'recursion_limit': 100, ...}; if not, "
                "check the conditional edges for a loop that never exits."
            )
        if not tasks:
            break
        if state.migration is not None and state.migration.rerun:
            state.migration.reran = rename_reruns(tasks, state.migration.rerun)
        if _should_pause(opts.interrupt_before, state, tasks):
            state.seen[INTERRUPT_SEEN] = dict(state.versions)
            yield from settle(opts, state)
            if "updates" in opts.modes:
                yield Emit("updates", {"__interrupt__": ()})
            return RunOutcome(_output(opts, state), config=config_of(opts, state), paused=True)
        if spec.handles_errors and state.pending:
            tasks.extend(saved_failures(state.pending, tasks, opts.namespace))
        bind_saved_writes(opts, state, tasks, resume_map, null_resume)
        for task in tasks:
            task.step = state.step + 1
        if opts.modes & events.TASK_MODES:
            # As LangGraph: every task of the step starts, also one whose writes were saved.
            for task in tasks:
                if not task.node.hidden:
                    yield from events.emit(opts.modes, "task", task.step, events.task_payload(task))
        if "updates" in opts.modes:
            yield from _saved_updates(opts, tasks)
        null_resume = (False, None)
        to_run = [task for task in tasks if not task.done]
        if state.migration is not None:
            for task in to_run:
                task.writes_version = state.migration.to_version
        hits = (yield from _from_cache(opts, to_run)) if opts.has_cache else []
        if hits:
            to_run = [task for task in to_run if not task.cached]
        # With sync durability each task's writes are saved as it finishes, so a
        # failure of one task never costs the others. A lone task's writes go
        # with the step's checkpoint, in one transaction. Async and exit
        # durability defer every write to the step's (or the run's) save.
        each = opts.has_saver and opts.durability == "sync" and len(to_run) > 1
        if to_run:
            calls = StepCalls(state.pending, resume_map, save_calls) if state.pending else plain
            save_to = config_of(opts, state) if each else None
            failures_to = None
            if spec.handles_errors and save_calls and not each:
                failures_to = config_of(opts, state)
            yield Execute(to_run, save_to, calls, failures_to)
        if opts.has_cache:
            yield from _to_cache(to_run)
        unsaved = [*hits, *([] if each else to_run)]
        if spec.handles_errors and not each:
            unsaved = with_handlers(unsaved, saved_failures=save_calls)
        outcome = yield from _after_execute(opts, state, tasks, unsaved, to_run)
        if outcome is not None:
            return outcome
        candidates = _next_candidates(spec, state.last_changed)
        if spec.handles_errors:
            # An error handler that ran counts as one of the step's nodes (interrupt_after).
            tasks = with_handlers(tasks, saved_failures=False)
        if _should_pause(opts.interrupt_after, state, tasks, after=True):
            state.seen[INTERRUPT_SEEN] = dict(state.versions)
            yield from settle(opts, state)
            if "updates" in opts.modes:
                yield Emit("updates", {"__interrupt__": ()})
            return RunOutcome(_output(opts, state), config=config_of(opts, state), paused=True)
    yield from settle(opts, state, finished=True)
    return RunOutcome(_output(opts, state), config=config_of(opts, state))


def _output(opts: RunOptions, state: RunState) -> Any:
    """The run's result: None while no step wrote an output key (and it resumed nothing)."""
    keys = opts.output_keys
    if not state.output_shown and (opts.spec.output_keys if keys is None else keys):
        return None
    if keys is None:
        return opts.spec.output(state.channels)
    channels = state.channels
    return {
        key: channels[key].value for key in keys if key in channels and channels[key].is_available()
    }


def _note_output(opts: RunOptions, state: RunState, changed: Mapping[str, Any]) -> None:
    """The run has a result once a step writes an output key."""
    keys = opts.spec.output_keys if opts.output_keys is None else opts.output_keys
    if any(key in changed for key in keys):
        state.output_shown = True


def persisted_writes(task: Task) -> list[tuple[str, Any]]:
    """What a finished task leaves in the store: its writes, error or interrupts.

    A failure an error handler took also names the failed node (LangGraph's
    ``__error_source_node__``): a restart then runs the handler, not the node.
    """
    extra: list[tuple[str, Any]] = [(RESUME, list(task.resumes))] if task.resumes_changed else []
    if task.error is not None:
        error = task.error
        saved = {"type": type(error).__name__, "message": str(error), "repr": repr(error)}
        if task.handler is not None:
            return [*extra, (ERROR, saved), (ERROR_SOURCE_NODE, task.name)]
        return [*extra, (ERROR, saved)]
    if task.paused:
        return [*extra, (INTERRUPT, list(task.interrupts))]
    if not task.writes:
        # Finished with no output: the marker says so, as LangGraph's does.
        return [(NO_WRITES, None), *extra]
    if task.writes_version is not None:
        # On a checkpoint older than the graph: these writes are this version's.
        extra.append((STATE_VERSION_WRITE, task.writes_version))
    return [*task.writes, *extra]


def _from_cache(opts: RunOptions, tasks: list[Task]) -> Generator[Effect, Any, list[Task]]:
    """Give the tasks whose writes are cached those writes; report each hit as LangGraph does.

    Returns the hits (marked ``cached`` and ``done``: not to be run), in the
    order their keys first appear. As in LangGraph, when tasks of one step
    share a key only the last of them takes the hit; the others run.
    """
    keyed: dict[FullKey, Task] = {}
    for task in tasks:
        if task.node.cache is not None:
            task.cache_key = task.node.cache.key(task.input)
            keyed[task.cache_key] = task
    if not keyed:
        return []
    found: Mapping[FullKey, Any] = yield CacheRead(list(keyed))
    hits: list[Task] = []
    for key, task in keyed.items():
        entry = found.get(key)
        if entry is None:
            continue
        task.writes = [(channel, value) for channel, value in entry["writes"]]
        task.result = entry["result"]
        task.cached = task.done = True
        hits.append(task)
    if "updates" in opts.modes:
        for task in hits:
            if not task.node.hidden:
                yield Emit("updates", {task.name: task.result, "__metadata__": {"cached": True}})
    return hits


def _to_cache(ran: list[Task]) -> Generator[Effect, Any, None]:
    """Cache the writes of the tasks that finished: never an error or an interrupt."""
    pairs: dict[FullKey, tuple[Any, float | None]] = {}
    for task in ran:
        cache = task.node.cache
        if cache is None or task.cache_key is None or task.error is not None or task.paused:
            continue
        entry = {"writes": [list(write) for write in task.writes], "result": task.result}
        pairs[task.cache_key] = (entry, cache.policy.ttl)
    if pairs:
        yield CacheWrite(pairs)


def _after_execute(
    opts: RunOptions, state: RunState, tasks: list[Task], unsaved: list[Task], ran: list[Task]
) -> Generator[Effect, Any, RunOutcome | None]:
    """Close the step: report, then fail, pause, or apply the writes and checkpoint.

    ``unsaved`` are the tasks of ``ran`` whose writes the driver has not saved.
    """
    spec = opts.spec
    if spec.handles_errors:
        # An error handler ran right after the task it handles: it is one of the step's.
        ran = with_handlers(ran, saved_failures=False)
        tasks = with_handlers(tasks, saved_failures=False)
    # As LangGraph, each task's chunks in turn: its update (or, paused, its
    # interrupts), then its result.
    for task in ran:
        if task.node.hidden:
            continue
        if task.paused:
            yield from _interrupt_chunks(opts, state, task)
        elif "updates" in opts.modes and task.error is None:
            yield Emit("updates", {task.name: task.result})
        if opts.modes & events.TASK_MODES:
            payload = events.task_result_payload(task, spec.value_keys)
            yield from events.emit(opts.modes, "task_result", task.step, payload)
    # A failure an error handler took is no failure of the step (its handler's may be).
    failed = [task for task in ran if task.error is not None and task.handler is None]
    paused = [task for task in ran if task.paused]
    if failed or paused:
        yield from settle(opts, state)
        if opts.has_saver:
            config = config_of(opts, state)
            for task in unsaved:
                yield SaveWrites(config, persisted_writes(task), task.id)
            for task in ran:
                for call_id, call_writes in task.calls:
                    yield SaveWrites(config, call_writes, call_id)
            yield Flush()
        if failed:
            error = failed[0].error
            assert error is not None
            raise error
        interrupts = tuple(item for task in paused for item in task.interrupts)
        if not opts.has_saver:
            raise InvalidConfigError(
                f"node {paused[0].name!r} paused the run (interrupt() or NodeInterrupt), which "
                "needs a checkpointer to save the paused run. Compile with one: "
                "graph.compile(checkpointer=InMemorySaver())."
            )
        # What the step's finished tasks wrote shows in the result (and one last
        # values chunk), though it is saved only as their pending writes.
        finished = [task for task in tasks if task.writes and not task.paused]
        if finished:
            changed, _ = apply_writes(state.channels, dict(state.versions), {}, finished)
            if not state.output_shown:
                _note_output(opts, state, changed)
            if "values" in opts.modes and any(key in changed for key in spec.value_keys):
                yield Emit("values", spec.values(state.channels))
        return RunOutcome(_output(opts, state), interrupts, config_of(opts, state), paused=True)
    changed, appends = apply_writes(state.channels, state.versions, state.seen, tasks)
    if spec.deferred:
        finish_deferred(
            spec,
            state.channels,
            state.versions,
            state.seen,
            changed,
            checkpoint_id=state.checkpoint_id,
            namespace=opts.namespace,
        )
    state.seen[RAN] = {task.name: 1 for task in tasks}
    if not state.output_shown:  # checked here: once shown, a step pays nothing
        _note_output(opts, state, changed)
    # As LangGraph: a step's values come before its checkpoint's chunk.
    if "values" in opts.modes and any(key in changed for key in spec.value_keys):
        yield Emit("values", spec.values(state.channels))
    yield from advance(opts, state, changed, appends, "loop", state.step + 1)
    records = [TaskWrites(task_id=task.id, writes=persisted_writes(task)) for task in unsaved]
    yield from save(opts, state, records)
    return None


def _saved_updates(opts: RunOptions, tasks: list[Task]) -> Iterator[Emit]:
    """A resumed step's tasks that had finished, streamed from their saved writes (as
    LangGraph does, marked cached) before the others run."""
    keys = set(opts.spec.value_keys)
    for task in tasks:
        # (A failure an error handler took is done too, and wrote nothing.)
        if task.done and task.writes and not task.node.hidden:
            result = {key: value for key, value in task.writes if key in keys}
            yield Emit("updates", {task.name: result, "__metadata__": {"cached": True}})


def _interrupt_chunks(opts: RunOptions, state: RunState, task: Task) -> Iterator[Emit]:
    """A paused task's interrupts, as a chunk of their own per mode (as in LangGraph)."""
    if "updates" in opts.modes:
        yield Emit("updates", {"__interrupt__": task.interrupts})
    if "values" in opts.modes:
        chunk = opts.spec.values(state.channels)
        # A state that is not a dict (a root schema, an entrypoint's return value)
        # is left out: the chunk holds only the interrupts, as in LangGraph.
        if isinstance(chunk, dict):
            chunk = {**chunk, "__interrupt__": task.interrupts}
        else:
            chunk = {"__interrupt__": task.interrupts}
        yield Emit("values", chunk)


def _should_pause(
    names: frozenset[str], state: RunState, tasks: list[Task], *, after: bool = False
) -> bool:
    if not names:
        return False
    if not any(task.name in names or "*" in names for task in tasks if not task.node.hidden):
        return False
    seen = state.seen.get(INTERRUPT_SEEN, {})
    return any(version > seen.get(key, 0) for key, version in state.versions.items())


def _next_candidates(spec: GraphSpec, changed: Mapping[str, int]) -> set[str]:
    found: set[str] = set()
    for key in changed:
        found.update(spec.trigger_to_nodes.get(key, ()))
    return found
