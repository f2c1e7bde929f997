"""``update_state`` and ``bulk_update_state``: a checkpoint made by hand, source ``update``.

Each superstep of updates becomes one checkpoint, the child of the one the
config names (the newest when it names none). An update is the writes of one
task of the step that was about to run from that checkpoint, as in LangGraph:

- its task id is the one the caller gave (``task_id=``), else the id of the
  next not yet used task of ``as_node`` prepared from that checkpoint, else an
  id of its own derived from the checkpoint id and the update's position;
- its writes are saved as that task's pending writes on the checkpoint it
  builds on, so the history shows them as that task's ``result`` — unless the
  thread has moved past that checkpoint (an update of an older checkpoint is
  a fork and leaves the old branch as it was);
- the new checkpoint applies them, and consumes the step they stand for.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    INTERRUPT,
    STATE_VERSION_WRITE,
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.constants import END, PULL, PUSH, RAN, START, TASKS
from cairngraph.engine._context import updating
from cairngraph.engine._migrate import (
    FINGERPRINT_KEY,
    VERSION_KEY,
    may_migrate,
    migrate_loaded,
)
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
from cairngraph.engine.snapshot import graph_at, saver_of
from cairngraph.errors import CheckpointNotFoundError, InvalidUpdateError

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph

__all__ = ["COPY", "INPUT", "Update", "update_state"]

Update = tuple[Any, str | None, str | None]
"""``(values, as_node, task_id)``, as in a :class:`~cairngraph.types.StateUpdate`."""

COPY = "__copy__"
"""``update_state(config, None, as_node="__copy__")``: copy a checkpoint as a fork."""

INPUT = "__input__"
"""``StateUpdate(values, as_node="__input__")``: save ``values`` as a run's input."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Base:
    """The checkpoint a superstep of updates builds on, restored."""

    saved: CheckpointTuple | None
    channels: dict[str, Channel]
    versions: dict[str, int]
    seen: dict[str, dict[str, int]]
    migrated: dict[str, int]
    namespace: str
    keeps_writes: bool  # whether the updates' writes are saved on it (the thread is there)


def update_state(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    supersteps: Sequence[Sequence[Update]],
) -> RunnableConfig:
    """Each superstep's updates as one checkpoint, in order; the config of the last.

    A superstep of several updates applies them together, as the writes of
    that many tasks of one step.
    """
    if not supersteps:
        raise InvalidUpdateError(
            "bulk_update_state needs at least one superstep: a list of lists of StateUpdate"
        )
    if any(not updates for updates in supersteps):
        raise InvalidUpdateError("bulk_update_state: a superstep holds no update")
    for position, updates in enumerate(supersteps):
        config = _superstep(graph, saver, config, list(updates), first=position == 0)
    return config


def _superstep(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    updates: list[Update],
    *,
    first: bool,
) -> RunnableConfig:
    graph = graph_at(graph, config)
    saver = saver_of(graph, saver)
    saved = saver.get_tuple(config)
    if saved is None and config_checkpoint_id(config) is not None:
        raise CheckpointNotFoundError(
            f"thread {config_thread_id(config)!r} has no checkpoint "
            f"{config_checkpoint_id(config)!r}"
        )
    special = _check(updates)
    if special == COPY:
        then = _updates_after_copy(updates[0][0])
        copied = _copy(saver, saved)
        # As LangGraph: updates given with the copy apply to it, as a superstep of its own.
        return _superstep(graph, saver, copied, then, first=False) if then else copied
    base = _restore(graph.spec, saver, config, saved, first=first)
    if special == INPUT:
        changed, credits = _as_input(base, updates[0][0])
        source = "input"
    else:
        with updating(config):
            changed, credits = _as_tasks(graph, base, updates)
        source = "update"
    new_config = _save(graph.spec, saver, config, base, changed, source)
    if saved is not None and base.keeps_writes:
        versioning = graph.spec.versioning
        for task_id, writes in credits:
            if base.migrated and versioning is not None and writes:
                # Saved on a checkpoint older than the graph: they are this version's.
                writes = [*writes, (STATE_VERSION_WRITE, versioning.version)]
            saver.put_writes(saved.config, writes, task_id)
    return new_config


def _check(updates: list[Update]) -> str | None:
    """The special ``as_node`` of the superstep (``__copy__``/``__input__``), if any."""
    special = [as_node for _values, as_node, _id in updates if as_node in (COPY, INPUT)]
    if special and len(updates) > 1:
        raise InvalidUpdateError(
            f"as_node={special[0]!r} takes one update alone in its superstep; put the other "
            "updates in supersteps of their own"
        )
    if len(updates) > 1 and any(as_node is None for _values, as_node, _id in updates):
        raise InvalidUpdateError(
            "several updates in one superstep each need as_node=: cairngraph cannot tell "
            "which node each one is from"
        )
    return special[0] if special else None


def _restore(
    spec: GraphSpec,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    saved: CheckpointTuple | None,
    *,
    first: bool,
) -> _Base:
    migrated: dict[str, int] = {}
    if saved is not None and may_migrate(spec.versioning, saved):
        found = migrate_loaded(spec.versioning, saved)
        saved, migrated = found.loaded, dict(found.changed)
    checkpoint = saved.checkpoint if saved else None
    return _Base(
        saved=saved,
        channels=restore_channels(spec.channels, checkpoint.channel_values if checkpoint else {}),
        versions=dict(checkpoint.channel_versions) if checkpoint else {},
        seen={k: dict(v) for k, v in checkpoint.versions_seen.items()} if checkpoint else {},
        migrated=migrated,
        namespace=config_namespace(config),
        keeps_writes=saved is not None and not (first and _superseded(saver, config, saved)),
    )


def _superseded(saver: BaseCheckpointSaver, config: RunnableConfig, saved: CheckpointTuple) -> bool:
    """Whether the thread has moved past the checkpoint ``config`` names (then an
    update of it starts a new branch, and the old one keeps its writes as they are)."""
    if config_checkpoint_id(config) is None:
        return False
    configurable = {k: v for k, v in config["configurable"].items() if k != "checkpoint_id"}
    latest = saver.get_tuple({**config, "configurable": configurable})
    return latest is not None and latest.checkpoint.id != saved.checkpoint.id


Credits = list[tuple[str, list[tuple[str, Any]]]]
"""``(task_id, writes)`` per update: saved as pending writes on the base checkpoint."""


def _as_input(base: _Base, values: Any) -> tuple[dict[str, int], Credits]:
    """The input of a run not started yet: the next ``invoke(None, config)`` runs it."""
    base.channels[START].update([values])
    version = next_version(base.versions.get(START))
    base.versions[START] = version
    saved = base.saved
    if saved is None:
        return {START: version}, []
    task_id = str(uuid.uuid5(uuid.UUID(saved.checkpoint.id), INPUT))
    return {START: version}, [(task_id, [(START, values)])]


def _as_tasks(
    graph: CompiledStateGraph, base: _Base, updates: list[Update]
) -> tuple[dict[str, int], Credits]:
    """Each update as the writes of one task of the pending step; what they changed."""
    spec = graph.spec
    ids = _task_ids(spec, base, updates, graph)
    tasks: list[Task] = []
    for position, ((values, as_node, _given), task_id) in enumerate(zip(updates, ids, strict=True)):
        name = as_node or _infer_as_node(graph, base.saved)
        if name not in spec.nodes and name != END:
            raise InvalidUpdateError(
                f"update_state(as_node={name!r}): no node has that name; known "
                f"nodes: {', '.join(n for n in spec.nodes if n != START)}"
            )
        if name == END:
            continue
        node = spec.nodes[name]
        # What the update consumes is the pending step's (below), as in LangGraph:
        # its own task reads no trigger. Its path orders the updates' writes as given.
        task = Task(
            id=task_id,
            name=name,
            path=(INTERRUPT, position),
            input=None,
            node=node,
            triggers=(),
            channels=base.channels,
        )
        task.writes = node.write(values, task.read_fresh)
        tasks.append(task)
    if not tasks:
        return {}, []
    changed = _apply(spec, base, tasks)
    return changed, [(t.id, [w for w in t.writes if w[0] != PUSH]) for t in tasks if t.writes]


def _task_ids(
    spec: GraphSpec, base: _Base, updates: list[Update], graph: CompiledStateGraph
) -> list[str]:
    """The task id of each update: given, else the next prepared task of its node, else
    one derived from the checkpoint id and the update's position (as LangGraph's)."""
    saved = base.saved
    if saved is None:
        return [given or "" for _values, _node, given in updates]
    prepared: dict[str, deque[str]] = {}
    for task in prepare_tasks(
        spec,
        base.channels,
        base.versions,
        base.seen,
        checkpoint_id=saved.checkpoint.id,
        namespace=base.namespace,
    ):
        prepared.setdefault(task.name, deque()).append(task.id)
    checkpoint_id = uuid.UUID(saved.checkpoint.id)
    ids = []
    for position, (_values, as_node, given) in enumerate(updates):
        if given:
            ids.append(given)
            continue
        waiting = prepared.get(as_node or _infer_as_node(graph, saved))
        own = INTERRUPT if position == 0 else f"{INTERRUPT}:{position}"
        ids.append(waiting.popleft() if waiting else str(uuid.uuid5(checkpoint_id, own)))
    return ids


def _apply(spec: GraphSpec, base: _Base, tasks: list[Task]) -> dict[str, int]:
    """Apply the updates' writes in place of the step that was about to run."""
    channels, versions, seen = base.channels, base.versions, base.seen
    # As in LangGraph, an update is a step: Sends still waiting from the last
    # step are dropped (the updated node's own routing sends anew).
    dropped = TASKS in channels and channels[TASKS].consume()
    # The update replaces the step that was about to run: that step's tasks are
    # consumed with it, so a route chosen before the update does not run next to
    # the one the update chooses.
    pending = _pending(spec, base)
    changed, _ = apply_writes(channels, versions, seen, [*pending, *tasks])
    if dropped and TASKS not in changed:
        versions[TASKS] = changed[TASKS] = next_version(versions.get(TASKS))
    seen[RAN] = {task.name: 1 for task in tasks}
    # As in LangGraph, a step that does not write the input clears it: an input
    # saved by an update and never run is gone after the next update.
    if START not in changed and channels[START].consume():
        versions[START] = changed[START] = next_version(versions.get(START))
    return changed


def _pending(spec: GraphSpec, base: _Base) -> list[Task]:
    """The pull tasks the saved checkpoint would run next, with no writes, narrowed
    to the triggers that lapse when their step is replaced.

    As in LangGraph, a fired edge or the input is gone after the update; a full
    join barrier or a deferred node's trigger still waits for its node. (The
    ``Send`` packets are dropped by the caller.)
    """
    if base.saved is None:
        return []
    pending = prepare_tasks(
        spec,
        base.channels,
        base.versions,
        base.seen,
        checkpoint_id=base.saved.checkpoint.id,
        namespace=base.namespace,
        with_input=False,
    )
    return [
        dataclasses.replace(task, triggers=lapsing)
        for task in pending
        if task.path[0] == PULL
        and (lapsing := tuple(key for key in task.triggers if base.channels[key].lapses))
    ]


def _save(
    spec: GraphSpec,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    base: _Base,
    changed: Mapping[str, int],
    source: str,
) -> RunnableConfig:
    saved = base.saved
    checkpoint = saved.checkpoint if saved else None
    changed = {**base.migrated, **changed}
    new = Checkpoint(
        id=new_checkpoint_id(after=checkpoint.id if checkpoint else None),
        ts=datetime.now(UTC).isoformat(),
        channel_values=changed_values(base.channels, changed),
        channel_versions=base.versions,
        versions_seen=base.seen,
        updated_channels=tuple(sorted(changed)),
    )
    # As in LangGraph: an update of a new thread is step 0; an input saved on one, -1.
    step = int(saved.metadata.get("step", -1)) + 1 if saved else 0
    if source == "input" and saved is None:
        step = -1
    metadata: CheckpointMetadata = {"source": source, "step": step, "parents": {}}  # type: ignore[typeddict-item]
    if spec.versioning is not None:
        metadata.update(spec.versioning.stamp)  # type: ignore[typeddict-item]
    parent = (
        saved.config
        if saved
        else {
            "configurable": {
                "thread_id": config_thread_id(config),
                "checkpoint_ns": base.namespace,
            }
        }
    )
    return saver.put(parent, new, metadata, changed)


def _infer_as_node(graph: CompiledStateGraph, saved: CheckpointTuple | None) -> str:
    if saved is None:
        return START
    ran = [name for name in saved.checkpoint.versions_seen.get(RAN, {}) if name in graph.spec.nodes]
    if len(ran) == 1:
        return ran[0]
    if not ran:
        return START
    raise InvalidUpdateError(
        f"update_state cannot tell which node the update is from: the last step ran "
        f"{', '.join(sorted(ran))}. Pass as_node='<one of them>'."
    )


def _updates_after_copy(values: Any) -> list[Update]:
    """``update_state(config, [(values, as_node), ...], as_node="__copy__")``: the
    updates to apply to the copy (none for ``values=None`` or ``[]``)."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise InvalidUpdateError(
            "update_state(config, values, as_node='__copy__') copies a checkpoint; values "
            "must be None (a plain copy) or a list of (values, as_node) pairs to apply to "
            f"the copy, not {type(values).__name__}."
        )
    by_node: dict[Any, list[Update]] = {}
    for item in values:
        if not isinstance(item, list | tuple) or len(item) < 2:
            raise InvalidUpdateError(
                f"update_state(..., as_node='__copy__'): {item!r} is not a (values, as_node) "
                "pair; pass e.g. [({'key': 1}, 'node_name')]."
            )
        by_node.setdefault(item[1], []).append((item[0], item[1], None))
    # Grouped by node, in the order each node first appears, as LangGraph applies them.
    return [update for group in by_node.values() for update in group]


def _copy(saver: BaseCheckpointSaver, saved: CheckpointTuple | None) -> RunnableConfig:
    """A copy of ``saved`` as the newest checkpoint of its branch (source ``fork``)."""
    if saved is None:
        raise InvalidUpdateError(
            "update_state(as_node='__copy__') needs a saved checkpoint to copy; this thread "
            "has none. Run the graph first, or pass a config naming a saved checkpoint."
        )
    checkpoint = saved.checkpoint
    copy = dataclasses.replace(
        checkpoint,
        id=new_checkpoint_id(after=checkpoint.id),
        ts=datetime.now(UTC).isoformat(),
        # Its parent is the copied checkpoint's parent, whose versions may differ:
        # the saver stores what it does not already hold (once, by content).
        channel_values=checkpoint.channel_values,
        updated_channels=(),
        channel_appends={},
    )
    step = int(saved.metadata.get("step", -1)) + 1
    metadata: CheckpointMetadata = {
        "source": "fork",
        "step": step,
        "parents": dict(saved.metadata.get("parents") or {}),
    }
    # A copy holds the copied values as stored, so it keeps the version they have.
    for key in (VERSION_KEY, FINGERPRINT_KEY):
        if key in saved.metadata:
            metadata[key] = saved.metadata[key]  # type: ignore[literal-required]
    base = saved.parent_config or {
        "configurable": {
            "thread_id": config_thread_id(saved.config),
            "checkpoint_ns": config_namespace(saved.config),
        }
    }
    return saver.put(base, copy, metadata, {})
