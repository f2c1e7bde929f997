"""How a run begins: a new input, an answer to an interrupt, a replay, or a continuation.

Each function turns what the caller passed into the first step's starting
point, on :class:`~cairngraph.engine._run_state.RunState`.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from cairngraph.checkpoint.base import (
    ERROR,
    ERROR_SOURCE_NODE,
    INTERRUPT,
    NO_WRITES,
    RESUME,
    STATE_VERSION_WRITE,
    CheckpointTuple,
    config_checkpoint_id,
)
from cairngraph.constants import NULL_TASK_ID, RAN, START
from cairngraph.engine._run_state import (
    Effect,
    RunOptions,
    RunState,
    advance,
    config_of,
    ns_hint,
    save,
)
from cairngraph.engine.algo import GraphSpec, Task, apply_writes, next_version, prepare_tasks
from cairngraph.engine.effects import Load, SaveWrites
from cairngraph.errors import AmbiguousResumeError, InvalidResumeError
from cairngraph.types import Interrupt

__all__ = [
    "SPECIAL",
    "applied",
    "apply_direct_writes",
    "bind_resume",
    "bind_saved_writes",
    "continue_finished",
    "fork",
    "is_time_travel",
    "saved_null_resume",
    "start",
]

SPECIAL = frozenset((ERROR, ERROR_SOURCE_NODE, INTERRUPT, RESUME))


def applied(output: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A finished task's saved output writes as the channels take them: without the
    ``NO_WRITES`` marker, which only says that it finished."""
    return [write for write in output if write[0] != NO_WRITES]


def bind_resume(
    opts: RunOptions, state: RunState, loaded: CheckpointTuple | None, resume: Any
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
    paused_at_breakpoint = (
        loaded is not None
        and not waiting
        and bool(
            prepare_tasks(
                opts.spec,
                state.channels,
                state.versions,
                state.seen,
                checkpoint_id=state.checkpoint_id,
                namespace=opts.namespace,
                with_input=False,
            )
        )
    )
    if paused_at_breakpoint:
        # As in LangGraph: the answer goes to the first interrupt() the run meets.
        return {}, (True, resume)
    if loaded is None or not waiting:
        raise InvalidResumeError(
            f"thread {opts.thread_id!r}{ns_hint(opts.namespace)} is not waiting on an "
            "interrupt, so Command(resume=...) has nothing to answer. Use "
            "graph.get_state(config).interrupts to see what a thread waits on; to continue "
            "a thread without an answer, use graph.invoke(None, config)."
        )
    ids = {item.id for item in waiting}
    if isinstance(resume, Mapping) and resume and set(resume) <= ids:
        return dict(resume), (False, None)
    if len(ids) > 1:
        raise AmbiguousResumeError(
            f"thread {opts.thread_id!r} waits on {len(ids)} interrupts, so the answer must say "
            "which is which: Command(resume={interrupt.id: answer, ...}) with the ids from "
            "graph.get_state(config).interrupts."
        )
    return {}, (True, resume)


def apply_direct_writes(
    opts: RunOptions, state: RunState, writes: list[tuple[str, Any]]
) -> Generator[Effect, Any, None]:
    """Apply a ``Command(update=..., goto=...)`` input to the checkpoint the run starts from.

    The writes are saved as the checkpoint's pending writes of no task (so a
    crash before the next step keeps them; the next run applies them again),
    then applied to the channels; the next checkpoint stores what they changed.
    """
    saved = state.pending.pop(NULL_TASK_ID, [])
    if any(key == RESUME for key, _ in writes):
        saved = [(key, value) for key, value in saved if key != RESUME]  # the new answer
    if writes and opts.has_saver:
        to_save = [*saved, *writes]
        if state.migration is not None and any(key != RESUME for key, _ in to_save):
            # On a checkpoint older than the graph: an update in this version's shape.
            to_save.append((STATE_VERSION_WRITE, state.migration.to_version))
        yield SaveWrites(config_of(opts, state), to_save, NULL_TASK_ID)
    # A resume answer is no channel write: the first interrupt() that asks takes it.
    writes = [(key, value) for key, value in (*saved, *writes) if key != RESUME]
    if not writes:
        return
    direct = Task(
        id=NULL_TASK_ID,
        name=START,
        path=(NULL_TASK_ID,),
        input=None,
        node=opts.spec.nodes[START],
        triggers=(),
        writes=writes,
    )
    changed, _ = apply_writes(state.channels, state.versions, state.seen, [direct])
    state.applied.update(changed)


def saved_null_resume(state: RunState) -> tuple[bool, Any]:
    """The ``Command(resume=...)`` answer saved on the checkpoint as the write of no task
    (LangGraph's rule: ``invoke(None)`` gives it to the next ``interrupt()`` again)."""
    for key, value in state.pending.get(NULL_TASK_ID, ()):
        if key == RESUME:
            return True, value
    return False, None


def start(opts: RunOptions, state: RunState, input: Any) -> Generator[Effect, Any, None]:
    """A new input: the input checkpoint (step -1, or one after the thread's last)."""
    start = state.channels[START]
    start.update([input])
    version = next_version(state.versions.get(START))
    state.versions[START] = version
    step = -1 if state.step == -2 else state.step + 1
    yield from advance(opts, state, {START: version}, {}, "input", step)
    yield from save(opts, state, [])


def is_time_travel(
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


def fork(opts: RunOptions, state: RunState) -> Generator[Effect, Any, None]:
    """Replay from an older checkpoint: a copy of it starts a new branch."""
    unchanged = {key: state.versions[key] for key in state.versions}
    state.pending = {}
    yield from advance(opts, state, {}, {}, "fork", state.step + 1)
    state.last_changed = unchanged
    yield from save(opts, state, [])


def continue_finished(spec: GraphSpec, state: RunState, loaded: CheckpointTuple) -> None:
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


def bind_saved_writes(
    opts: RunOptions,
    state: RunState,
    tasks: list[Task],
    resume_map: Mapping[str, Any],
    null_resume: tuple[bool, Any],
) -> None:
    """Reuse the writes of tasks that finished before; hand resume answers to the rest."""
    for task in tasks:
        saved = state.pending.get(task.id)
        if saved:
            normal = [(key, value) for key, value in saved if key not in SPECIAL]
            for key, value in saved:
                if key == RESUME:
                    task.resumes = list(value)
                elif key == INTERRUPT and not normal:
                    for item in value:
                        if item.id in resume_map:
                            task.pending_resume = (True, resume_map[item.id])
            if normal:
                task.writes = applied(normal)
                task.done = True
                continue
        if null_resume[0] and not task.pending_resume[0]:
            task.pending_resume = null_resume
