"""One run of a graph, written once as a generator of effects.

The loop loads the thread's checkpoint, turns the input into the first step
(a new input, a resume, or a replay that forks), then repeats supersteps
until no task is left, an interrupt pauses the run, or a task fails. Each
step's checkpoint is handed to the driver with the durability the caller
chose. The loop never touches a saver or a thread itself: it yields
:mod:`~cairngraph.engine.effects` and the driver performs them.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    RESUME,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    TaskWrites,
    checkpoint_config,
    config_checkpoint_id,
)
from cairngraph.constants import INTERRUPT_SEEN, START
from cairngraph.engine import events
from cairngraph.engine.algo import (
    GraphSpec,
    Task,
    apply_writes,
    changed_values,
    next_version,
    prepare_tasks,
    restore_channels,
)
from cairngraph.engine.channels import Channel
from cairngraph.engine.effects import Emit, Execute, Flush, Load, Save
from cairngraph.errors import (
    CheckpointNotFoundError,
    EmptyInputError,
    GraphRecursionError,
    InvalidConfigError,
    InvalidResumeError,
)
from cairngraph.types import Command, Interrupt

__all__ = ["RunOptions", "RunOutcome", "run_loop"]

Effect = Load | Save | Flush | Execute | Emit


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """Everything one run needs, parsed once from the call and the config."""

    spec: GraphSpec
    config: RunnableConfig
    thread_id: str | None
    namespace: str
    has_saver: bool
    modes: frozenset[str]
    durability: str
    interrupt_before: frozenset[str]
    interrupt_after: frozenset[str]
    recursion_limit: int
    metadata: Mapping[str, Any]
    resume_pending: tuple[bool, Any] = (False, None)
    continue_into_new_nodes: bool = True


@dataclass(slots=True)
class RunOutcome:
    """How the run ended: its output and the interrupts it paused on."""

    output: Any
    interrupts: tuple[Interrupt, ...] = ()
    config: RunnableConfig | None = None


@dataclass(slots=True, kw_only=True)
class _State:
    """The run's working copy of the thread at its current checkpoint."""

    channels: dict[str, Channel]
    versions: dict[str, int]
    seen: dict[str, dict[str, int]]
    step: int
    checkpoint_id: str
    parent_id: str | None
    saved: bool
    pending: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    unsaved: dict[str, int] = field(default_factory=dict)
    last_changed: dict[str, int] = field(default_factory=dict)
    made: _Made | None = None


@dataclass(frozen=True, slots=True)
class _Made:
    """A checkpoint built by the loop and not yet handed to the saver."""

    parent: RunnableConfig | None
    checkpoint: Checkpoint
    metadata: CheckpointMetadata


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
                f"{_ns_hint(opts.namespace)}. List the saved ones with "
                "get_state_history(config), or drop checkpoint_id to use the latest."
            )
    state = _load_state(spec, loaded)
    resume_map: dict[str, Any] = {}
    null_resume: tuple[bool, Any] = opts.resume_pending
    if isinstance(input, Command) and input.resume is not None:
        resume_map, null_resume = _bind_resume(opts, state, loaded, input.resume)
        input = None
    if input is None:
        if loaded is None:
            raise EmptyInputError(
                f"thread {opts.thread_id!r}{_ns_hint(opts.namespace)} has never run, so there "
                "is nothing to resume. Pass an input, e.g. graph.invoke({...}, config)."
            )
        if (yield from _is_time_travel(opts, loaded, null_resume[0] or bool(resume_map))):
            yield from _fork(opts, state)
        elif opts.continue_into_new_nodes:
            _continue_finished(spec, state, loaded)
        state.seen[INTERRUPT_SEEN] = dict(state.versions)
        if "values" in opts.modes:
            yield Emit("values", spec.values(state.channels))
    else:
        yield from _start(opts, state, input)
    return (yield from _supersteps(opts, state, resume_map, null_resume))


def _supersteps(
    opts: RunOptions,
    state: _State,
    resume_map: dict[str, Any],
    null_resume: tuple[bool, Any],
) -> Generator[Effect, Any, RunOutcome]:
    spec = opts.spec
    candidates: set[str] | None = None
    steps_run = 0
    while True:
        tasks = prepare_tasks(
            spec,
            state.channels,
            state.versions,
            state.seen,
            checkpoint_id=state.checkpoint_id,
            namespace=opts.namespace,
            candidates=candidates,
        )
        if not tasks:
            break
        if steps_run >= opts.recursion_limit:
            yield from _settle(opts, state)
            raise GraphRecursionError(
                f"recursion limit of {opts.recursion_limit} steps reached"
                f"{_thread_hint(opts)} at step {state.step + 1} without reaching END "
                f"(next: {', '.join(task.name for task in tasks)}). If the graph is meant to "
                "run longer, raise it: config={'recursion_limit': 100, ...}; if not, check "
                "the conditional edges for a loop that never exits."
            )
        if _should_pause(opts.interrupt_before, state, tasks):
            state.seen[INTERRUPT_SEEN] = dict(state.versions)
            yield from _settle(opts, state)
            if "updates" in opts.modes:
                yield Emit("updates", {"__interrupt__": ()})
            return RunOutcome(spec.output(state.channels), config=_config(opts, state))
        _bind_saved_writes(opts, state, tasks, resume_map, null_resume)
        null_resume = (False, None)
        to_run = [task for task in tasks if not task.done]
        if "debug" in opts.modes:
            for task in to_run:
                if not task.node.hidden:
                    yield Emit("debug", events.task_event(state.step + 1, task))
        # With sync durability each task's writes are saved as it finishes, so a
        # failure of one task never costs the others. A lone task's writes go
        # with the step's checkpoint, in one transaction. Async and exit
        # durability defer every write to the step's (or the run's) save.
        each = opts.has_saver and opts.durability == "sync" and len(to_run) > 1
        if to_run:
            yield Execute(to_run, _config(opts, state) if each else None)
        steps_run += 1
        outcome = yield from _after_execute(opts, state, tasks, [] if each else to_run, to_run)
        if outcome is not None:
            return outcome
        candidates = _next_candidates(spec, state.last_changed)
        if _should_pause(opts.interrupt_after, state, tasks, after=True):
            state.seen[INTERRUPT_SEEN] = dict(state.versions)
            yield from _settle(opts, state)
            if "updates" in opts.modes:
                yield Emit("updates", {"__interrupt__": ()})
            return RunOutcome(spec.output(state.channels), config=_config(opts, state))
    yield from _settle(opts, state)
    return RunOutcome(spec.output(state.channels), config=_config(opts, state))


RAN = "__ran__"
"""``versions_seen`` key naming the nodes of the step that made the checkpoint."""


def _thread_hint(opts: RunOptions) -> str:
    return "" if opts.thread_id is None else f" in thread {opts.thread_id!r}"


def _ns_hint(namespace: str) -> str:
    return f" (namespace {namespace!r})" if namespace else ""


def _config(opts: RunOptions, state: _State) -> RunnableConfig:
    return checkpoint_config(opts.thread_id or "", opts.namespace, state.checkpoint_id)


def _load_state(spec: GraphSpec, loaded: CheckpointTuple | None) -> _State:
    if loaded is None:
        return _State(
            channels=restore_channels(spec.channels, {}),
            versions={},
            seen={},
            step=-2,
            checkpoint_id="",
            parent_id=None,
            saved=True,
        )
    checkpoint = loaded.checkpoint
    pending: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in loaded.pending_writes:
        pending.setdefault(task_id, []).append((channel, value))
    return _State(
        channels=restore_channels(spec.channels, checkpoint.channel_values),
        versions=dict(checkpoint.channel_versions),
        seen=dict(checkpoint.versions_seen),  # type: ignore[arg-type]
        step=int(loaded.metadata.get("step", -1)),
        checkpoint_id=checkpoint.id,
        parent_id=config_checkpoint_id(loaded.parent_config or {}),
        saved=True,
        pending=pending,
    )


def _bind_resume(
    opts: RunOptions, state: _State, loaded: CheckpointTuple | None, resume: Any
) -> tuple[dict[str, Any], tuple[bool, Any]]:
    """Match ``Command(resume=...)`` to the interrupts the thread is waiting on."""
    waiting: list[Interrupt] = []
    for writes in state.pending.values():
        if any(channel == ERROR for channel, _ in writes):
            continue
        if any(channel not in (INTERRUPT, RESUME) for channel, _ in writes):
            continue
        for channel, value in writes:
            if channel == INTERRUPT:
                waiting.extend(value)
    if loaded is None or not waiting:
        raise InvalidResumeError(
            f"thread {opts.thread_id!r}{_ns_hint(opts.namespace)} is not waiting on an "
            "interrupt, so Command(resume=...) has nothing to answer. Use "
            "graph.get_state(config).interrupts to see what a thread waits on; to continue "
            "a thread without an answer, use graph.invoke(None, config)."
        )
    ids = {item.id for item in waiting}
    if isinstance(resume, Mapping) and resume and set(resume) <= ids:
        return dict(resume), (False, None)
    if len(ids) > 1:
        raise InvalidResumeError(
            f"thread {opts.thread_id!r} waits on {len(ids)} interrupts, so the answer must say "
            "which is which: Command(resume={interrupt.id: answer, ...}) with the ids from "
            "graph.get_state(config).interrupts."
        )
    return {}, (True, resume)


def _advance(
    opts: RunOptions,
    state: _State,
    changed: Mapping[str, int],
    appends: Mapping[str, tuple[int, int]],
    source: str,
    step: int,
) -> Generator[Effect, Any, None]:
    """Move ``state`` to a new checkpoint after ``changed``; ``state.made`` holds it unsaved."""
    if not opts.has_saver and "debug" not in opts.modes:
        # Nothing will read the checkpoint: only what the next step needs is kept.
        state.checkpoint_id = f"step-{step}"
        state.step = step
        state.last_changed = dict(changed)
        state.pending = {}
        return
    if state.saved:
        parent = _config(opts, state) if state.checkpoint_id else None
        state.unsaved = dict(changed)
    else:
        assert state.made is not None
        parent = state.made.parent
        state.unsaved.update(changed)
        appends = {}
    state.checkpoint_id = new_checkpoint_id(after=state.checkpoint_id or None)
    state.step = step
    state.last_changed = dict(changed)
    state.pending = {}
    checkpoint = Checkpoint(
        id=state.checkpoint_id,
        ts=datetime.now(UTC).isoformat(),
        channel_values=changed_values(state.channels, state.unsaved),
        channel_versions=dict(state.versions),
        versions_seen=dict(state.seen),
        updated_channels=tuple(sorted(changed)),
        channel_appends=appends if opts.durability != "exit" else {},
    )
    metadata: CheckpointMetadata = {"source": source, "step": step}  # type: ignore[typeddict-item]
    metadata.update(opts.metadata)  # type: ignore[typeddict-item]
    state.saved = False
    state.made = _Made(parent, checkpoint, metadata)
    if "debug" in opts.modes:
        event = events.checkpoint_event(
            opts.spec, state.channels, checkpoint, metadata, parent, opts
        )
        yield Emit("debug", event)


def _save(
    opts: RunOptions, state: _State, task_writes: list[TaskWrites], *, force: bool = False
) -> Generator[Effect, Any, None]:
    """Hand ``state.made`` to the saver: now, in the background, or at the end (``exit``)."""
    made = state.made
    if made is None or not opts.has_saver or (opts.durability == "exit" and not force):
        return
    base = made.parent or {
        "configurable": {"thread_id": opts.thread_id, "checkpoint_ns": opts.namespace}
    }
    background = opts.durability == "async"
    new_versions = {key: state.versions[key] for key in state.unsaved if key in state.versions}
    if task_writes:
        args = (base, task_writes, made.checkpoint, made.metadata, new_versions)
        yield Save("put_step", args, background)
    else:
        yield Save("put", (base, made.checkpoint, made.metadata, new_versions), background)
    state.saved = True
    state.unsaved = {}
    state.made = None


def _settle(opts: RunOptions, state: _State) -> Generator[Effect, Any, None]:
    """Make sure the current checkpoint is saved and every save has finished."""
    if opts.has_saver:
        yield from _save(opts, state, [], force=True)
        yield Flush()


def _start(opts: RunOptions, state: _State, input: Any) -> Generator[Effect, Any, None]:
    """A new input: the input checkpoint (step -1, or one after the thread's last)."""
    start = state.channels[START]
    start.update([input])
    version = next_version(state.versions.get(START))
    state.versions[START] = version
    step = -1 if state.step == -2 else state.step + 1
    yield from _advance(opts, state, {START: version}, {}, "input", step)
    yield from _save(opts, state, [])


def _is_time_travel(
    opts: RunOptions, loaded: CheckpointTuple, resuming: bool
) -> Generator[Effect, Any, bool]:
    """Whether ``invoke(None, config with checkpoint_id)`` starts a new branch.

    It does when the caller addressed a checkpoint without answering an
    interrupt, unless that checkpoint is the newest and was itself made by
    ``update_state`` or a fork (then the run simply continues from it).
    """
    if resuming or config_checkpoint_id(opts.config) is None:
        return False
    if loaded.metadata.get("source") not in ("update", "fork"):
        return True
    configurable = {
        key: value for key, value in opts.config["configurable"].items() if key != "checkpoint_id"
    }
    latest = yield Load({**opts.config, "configurable": configurable})
    return latest is None or latest.checkpoint.id != loaded.checkpoint.id


def _fork(opts: RunOptions, state: _State) -> Generator[Effect, Any, None]:
    """Replay from an older checkpoint: a copy of it starts a new branch."""
    unchanged = {key: state.versions[key] for key in state.versions}
    state.pending = {}
    yield from _advance(opts, state, {}, {}, "fork", state.step + 1)
    state.last_changed = unchanged
    yield from _save(opts, state, [])


def _continue_finished(spec: GraphSpec, state: _State, loaded: CheckpointTuple) -> None:
    """Let a finished thread go on into nodes added after its last node.

    The rule: when the checkpoint has nothing left to run, the static edges
    the *current* graph has from the nodes of the thread's last step are
    followed. Unchanged graphs have no such edge (those nodes led to END), so
    a finished thread of an unchanged graph stays finished.
    """
    if prepare_tasks(
        spec,
        state.channels,
        state.versions,
        state.seen,
        checkpoint_id=state.checkpoint_id,
        namespace="",
        with_input=False,
    ):
        return
    for node in state.seen.get(RAN, {}):
        for trigger in spec.continuations.get(node, ()):
            if state.channels[trigger].update([None]):
                state.versions[trigger] = next_version(state.versions.get(trigger))


def _bind_saved_writes(
    opts: RunOptions,
    state: _State,
    tasks: list[Task],
    resume_map: Mapping[str, Any],
    null_resume: tuple[bool, Any],
) -> None:
    """Reuse the writes of tasks that finished before; hand resume answers to the rest."""
    for task in tasks:
        saved = state.pending.get(task.id)
        if saved:
            normal = [(key, value) for key, value in saved if key not in _SPECIAL]
            for key, value in saved:
                if key == RESUME:
                    task.resumes = list(value)
                elif key == INTERRUPT and not normal:
                    for item in value:
                        if item.id in resume_map:
                            task.pending_resume = (True, resume_map[item.id])
            if normal:
                task.writes = normal
                task.done = True
                continue
        if null_resume[0] and not task.pending_resume[0]:
            task.pending_resume = null_resume


_SPECIAL = frozenset((ERROR, INTERRUPT, RESUME))


def persisted_writes(task: Task) -> list[tuple[str, Any]]:
    """What a finished task leaves in the store: its writes, error or interrupts."""
    extra = [(RESUME, list(task.resumes))] if task.resumes_changed else []
    if task.error is not None:
        error = task.error
        return [*extra, (ERROR, {"type": type(error).__name__, "message": str(error)})]
    if task.interrupts:
        return [*extra, (INTERRUPT, list(task.interrupts))]
    return [*task.writes, *extra]


def _after_execute(
    opts: RunOptions, state: _State, tasks: list[Task], unsaved: list[Task], ran: list[Task]
) -> Generator[Effect, Any, RunOutcome | None]:
    """Close the step: report, then fail, pause, or apply the writes and checkpoint.

    ``unsaved`` are the tasks of ``ran`` whose writes the driver has not saved.
    """
    spec = opts.spec
    if "updates" in opts.modes or "debug" in opts.modes:
        for task in ran:
            if task.node.hidden or task.error is not None or task.interrupts:
                continue
            if "updates" in opts.modes:
                yield Emit("updates", {task.name: task.result})
            if "debug" in opts.modes:
                yield Emit("debug", events.task_result_event(state.step + 1, task))
    failed = [task for task in ran if task.error is not None]
    paused = [task for task in ran if task.interrupts]
    if failed or paused:
        yield from _settle(opts, state)
        if opts.has_saver:
            config = _config(opts, state)
            for task in unsaved:
                yield Save("put_writes", (config, persisted_writes(task), task.id, ""))
            yield Flush()
        if failed:
            error = failed[0].error
            assert error is not None
            raise error
        interrupts = tuple(item for task in paused for item in task.interrupts)
        if not opts.has_saver:
            raise InvalidConfigError(
                f"node {paused[0].name!r} called interrupt(), which needs a checkpointer to save "
                "the paused run. Compile with one: graph.compile(checkpointer=InMemorySaver())."
            )
        if "updates" in opts.modes:
            yield Emit("updates", {"__interrupt__": interrupts})
        output = spec.output(state.channels)
        if "values" in opts.modes:
            chunk = spec.values(state.channels)
            if isinstance(chunk, dict):
                chunk = {**chunk, "__interrupt__": interrupts}
            yield Emit("values", chunk)
        return RunOutcome(output, interrupts, _config(opts, state))
    changed, appends = apply_writes(state.channels, state.versions, state.seen, tasks)
    state.seen[RAN] = {task.name: 1 for task in tasks}
    yield from _advance(opts, state, changed, appends, "loop", state.step + 1)
    records = [TaskWrites(task_id=task.id, writes=persisted_writes(task)) for task in unsaved]
    yield from _save(opts, state, records)
    if "values" in opts.modes:
        yield Emit("values", spec.values(state.channels))
    return None


def _should_pause(
    names: frozenset[str], state: _State, tasks: list[Task], *, after: bool = False
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
