"""A run's working state and how it becomes saved checkpoints.

:class:`RunState` is the run's copy of the thread at its current checkpoint.
:func:`advance` moves it to a new checkpoint after a step; :func:`save` hands
that checkpoint to the saver according to the run's durability (now, in the
background, or at the end); :func:`settle` makes sure everything is saved.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    StepSave,
    TaskWrites,
    checkpoint_config,
    config_checkpoint_id,
    make_checkpoint,
)
from cairngraph.engine import events
from cairngraph.engine._migrate import MIGRATED_FROM, RERAN_KEY
from cairngraph.engine.algo import GraphSpec, changed_values, restore_channels
from cairngraph.engine.channels import Channel
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
from cairngraph.types import Interrupt

__all__ = [
    "Effect",
    "Made",
    "Migration",
    "RunOptions",
    "RunOutcome",
    "RunState",
    "advance",
    "config_of",
    "load_state",
    "ns_hint",
    "save",
    "settle",
    "thread_hint",
]

Effect = Load | SaveStep | SaveWrites | Flush | Execute | Emit | CacheRead | CacheWrite


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
    has_cache: bool = False
    """The graph has a cache: nodes with a cache policy look their writes up in it."""
    output_keys: tuple[str, ...] | None = None
    """``invoke(output_keys=...)``: the result is these keys' values (any channel's), not
    the output schema's."""


@dataclass(slots=True)
class RunOutcome:
    """How the run ended: its output and the interrupts it paused on."""

    output: Any
    interrupts: tuple[Interrupt, ...] = ()
    config: RunnableConfig | None = None
    paused: bool = False


@dataclass(slots=True, kw_only=True)
class RunState:
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
    made: Made | None = None
    applied: dict[str, int] = field(default_factory=dict)
    """Channels changed outside a step (a Command input), stored with the next checkpoint."""
    output_shown: bool = False
    """Whether the run has a result yet: it resumed a thread, or a step wrote an output
    key. LangGraph's ``invoke`` returns None until then."""
    migration: Migration | None = None
    """Set while the run is on a checkpoint older than the graph (it was migrated on load)."""


@dataclass(slots=True)
class Migration:
    """The loaded checkpoint was migrated: what the run's first new checkpoint records."""

    from_version: int
    to_version: int
    rerun: Mapping[str, str]
    """Task id whose saved writes were the old code's → the id it runs again under."""
    reran: list[str] = field(default_factory=list)
    """The names of the step's tasks that run again because of it."""


@dataclass(frozen=True, slots=True)
class Made:
    """A checkpoint built by the loop and not yet handed to the saver."""

    parent: RunnableConfig | None
    checkpoint: Checkpoint
    metadata: CheckpointMetadata


def thread_hint(opts: RunOptions) -> str:
    return "" if opts.thread_id is None else f" in thread {opts.thread_id!r}"


def ns_hint(namespace: str) -> str:
    return f" (namespace {namespace!r})" if namespace else ""


def config_of(opts: RunOptions, state: RunState) -> RunnableConfig:
    return checkpoint_config(opts.thread_id or "", opts.namespace, state.checkpoint_id)


def load_state(spec: GraphSpec, loaded: CheckpointTuple | None) -> RunState:
    if loaded is None:
        return RunState(
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
    return RunState(
        channels=restore_channels(spec.channels, checkpoint.channel_values),
        versions=dict(checkpoint.channel_versions),
        seen=dict(checkpoint.versions_seen),  # type: ignore[arg-type]
        step=int(loaded.metadata.get("step", -1)),
        checkpoint_id=checkpoint.id,
        parent_id=config_checkpoint_id(loaded.parent_config or {}),
        saved=True,
        pending=pending,
    )


def advance(
    opts: RunOptions,
    state: RunState,
    changed: Mapping[str, int],
    appends: Mapping[str, tuple[int, int]],
    source: str,
    step: int,
) -> Generator[Effect, Any, None]:
    """Move ``state`` to a new checkpoint after ``changed``; ``state.made`` holds it unsaved."""
    if state.applied:
        # A channel changed outside the step (a Command input, a migration) is
        # stored whole: an append would refer to the parent's older value.
        appends = {key: span for key, span in appends.items() if key not in state.applied}
        changed = {**state.applied, **changed}
        state.applied = {}
    if not opts.has_saver:
        # Nothing will read the checkpoint: only what the next step needs is kept.
        state.checkpoint_id = f"step-{step}"
        state.step = step
        state.last_changed = dict(changed)
        state.pending = {}
        return
    if state.saved:
        parent = config_of(opts, state) if state.checkpoint_id else None
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
    checkpoint = make_checkpoint(
        state.checkpoint_id,
        datetime.now(UTC).isoformat(),
        changed_values(state.channels, state.unsaved),
        dict(state.versions),
        dict(state.seen),
        tuple(sorted(changed)),
        channel_appends=appends if opts.durability != "exit" else {},
    )
    metadata: CheckpointMetadata = {"source": source, "step": step}  # type: ignore[typeddict-item]
    metadata.update(opts.metadata)  # type: ignore[typeddict-item]
    if opts.spec.versioning is not None:
        metadata.update(opts.spec.versioning.stamp)  # type: ignore[typeddict-item]
    if state.migration is not None:
        # So history shows where a thread crossed versions, and which tasks ran again.
        metadata[MIGRATED_FROM] = state.migration.from_version  # type: ignore[literal-required]
        if state.migration.reran:
            metadata[RERAN_KEY] = sorted(state.migration.reran)  # type: ignore[literal-required]
        state.migration = None
    state.saved = False
    state.made = Made(parent, checkpoint, metadata)
    if opts.has_saver and opts.modes & events.CHECKPOINT_MODES:
        payload = events.checkpoint_payload(
            opts.spec, state.channels, checkpoint, metadata, parent, opts
        )
        yield from events.emit(opts.modes, "checkpoint", step, payload)


def save(
    opts: RunOptions, state: RunState, task_writes: list[TaskWrites], *, force: bool = False
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
    step = StepSave.of(base, task_writes, made.checkpoint, made.metadata, new_versions)
    yield SaveStep(step, background)
    state.saved = True
    state.unsaved = {}
    state.made = None


def settle(
    opts: RunOptions, state: RunState, *, finished: bool = False
) -> Generator[Effect, Any, None]:
    """Make sure the current checkpoint is saved and every save has finished.

    ``finished``: the run reached its end normally. With ``durability="exit"``
    a nested run under a task's namespace then saves nothing, as in LangGraph:
    its parent's checkpoint records that the node finished, and the subgraph's
    namespace keeps only what a stop (an error or an interrupt) left there. A
    subgraph with ``checkpointer=True`` (a namespace without task ids) saves.
    """
    if not opts.has_saver:
        return
    if not (finished and opts.durability == "exit" and _under_task(opts.namespace)):
        yield from save(opts, state, [], force=True)
    yield Flush()


def _under_task(namespace: str) -> bool:
    """True for the namespace of a run nested in one task (``"sub:<task id>"``)."""
    return any(":" in part for part in namespace.split("|")) if namespace else False
