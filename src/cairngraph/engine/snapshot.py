"""The read side of a thread, and ``update_state``.

A snapshot is computed from a saved checkpoint alone: its channels give the
values, :func:`~cairngraph.engine.algo.prepare_tasks` gives what would run
next, and the checkpoint's pending writes say which of those tasks already
finished (``result``), failed (``error``) or paused (``interrupts``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    RESUME,
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.constants import END, NULL_TASK_ID, PULL, RAN, START, TASKS
from cairngraph.engine._context import task_namespace, without_task_ids
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
from cairngraph.errors import CheckpointNotFoundError, InvalidUpdateError
from cairngraph.types import PregelTask, StateSnapshot

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph

__all__ = ["get_state", "history", "tasks_of", "update_state"]

_SPECIAL = frozenset((ERROR, INTERRUPT, RESUME))


def tasks_of(spec: GraphSpec, saved: CheckpointTuple) -> list[Task]:
    """The tasks that would run from ``saved`` (without their inputs)."""
    checkpoint = saved.checkpoint
    channels = restore_channels(spec.channels, checkpoint.channel_values)
    return prepare_tasks(
        spec,
        channels,
        checkpoint.channel_versions,
        checkpoint.versions_seen,
        checkpoint_id=checkpoint.id,
        namespace=config_namespace(saved.config),
        with_input=False,
    )


def _error_of(value: Any) -> str:
    """A node's saved exception as LangGraph shows it: its repr, ``"ValueError('bad')"``.

    Never the exception object: nothing stored is rebuilt as a type."""
    if isinstance(value, Mapping):
        name, message = str(value.get("type", "Exception")), str(value.get("message", ""))
    else:
        name, message = "Exception", str(value)
    return f"{name}({message!r})"


def _candidates(
    spec: GraphSpec, updated: tuple[str, ...], metadata: CheckpointMetadata
) -> set[str] | None:
    """The nodes the step that made a checkpoint can have triggered; None: check them all.

    A node runs in the step after the one that wrote its trigger, so only the
    nodes subscribed to the checkpoint's updated channels can be next. A copy
    (no updated channels), an update (a full join the update did not consume
    waits on) and a graph with deferred nodes (whose trigger may be older) are
    checked whole.
    """
    if not updated or spec.deferred or metadata.get("source") == "update":
        return None
    found: set[str] = set()
    for key in updated:
        found.update(spec.trigger_to_nodes.get(key, ()))
    return found


def snapshot_of(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    saved: CheckpointTuple,
    subgraphs: bool,
    *,
    live: bool,
) -> StateSnapshot:
    """The snapshot of ``saved``.

    ``live`` (``get_state`` of the latest checkpoint) shows the thread as it
    is now: values include what already-finished tasks of the step wrote,
    ``next`` and ``interrupts`` only what still waits. Otherwise it is a record
    of the step: values at its start, every task, every interrupt raised.
    """
    spec = graph.spec
    # The values as this graph reads them; the metadata still says what was stored.
    if may_migrate(spec.versioning, saved):
        saved = migrate_loaded(spec.versioning, saved).loaded
    checkpoint = saved.checkpoint
    channels = restore_channels(spec.channels, checkpoint.channel_values)
    namespace = config_namespace(saved.config)
    tasks = prepare_tasks(
        spec,
        channels,
        checkpoint.channel_versions,
        checkpoint.versions_seen,
        checkpoint_id=checkpoint.id,
        namespace=namespace,
        candidates=_candidates(spec, checkpoint.updated_channels, saved.metadata),
        with_input=False,
    )
    writes: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in saved.pending_writes:
        writes.setdefault(task_id, []).append((channel, value))
    state_keys = set(spec.state_keys)
    shown: list[PregelTask] = []
    waiting: list[Any] = []
    finished: list[Task] = []
    for task in tasks:
        saved_writes = writes.get(task.id, [])
        error = next((_error_of(v) for c, v in saved_writes if c == ERROR), None)
        interrupts = tuple(item for c, v in saved_writes if c == INTERRUPT for item in v)
        normal = [(c, v) for c, v in saved_writes if c not in _SPECIAL]
        result = _task_result(normal, state_keys) if normal else None
        if interrupts and not (live and normal):
            waiting.extend(interrupts)
        if normal and live:
            task.writes = normal
            finished.append(task)
        child: Any = None
        subgraph = task.node.subgraph
        if subgraph is not None:
            child_ns = task_namespace(namespace, task.name, task.id)
            if subgraph.checkpointer is True:
                child_ns = without_task_ids(child_ns)
            child_saver = saver_of(subgraph, saver)
            child_config = {
                "configurable": {
                    "thread_id": config_thread_id(saved.config),
                    "checkpoint_ns": child_ns,
                }
            }
            child = child_config
            if subgraphs:
                found = child_saver.get_tuple(child_config)
                if found is not None:
                    child = snapshot_of(subgraph, child_saver, found, subgraphs, live=True)
        shown.append(PregelTask(task.id, task.name, task.path, error, interrupts, child, result))
    # Like LangGraph: the values show the writes of no task (a Command(update=...)
    # answering this checkpoint), then, live, what the step's finished tasks wrote.
    versions = dict(checkpoint.channel_versions)
    direct = [(c, v) for c, v in writes.get(NULL_TASK_ID, []) if c not in _SPECIAL]
    if direct:
        update = Task(
            id=NULL_TASK_ID,
            name=START,
            path=(NULL_TASK_ID,),
            input=None,
            node=spec.nodes[START],
            triggers=(),
            writes=direct,
        )
        apply_writes(channels, versions, {}, [update])
    if finished:
        apply_writes(channels, versions, {}, finished)
    done = {task.id for task in finished}
    return StateSnapshot(
        values=spec.values(channels),
        next=tuple(task.name for task in tasks if task.id not in done),
        config=_with_checkpoint_map(saved.config, saved.metadata),
        metadata=saved.metadata,
        created_at=checkpoint.ts,
        parent_config=None
        if saved.parent_config is None
        else _with_checkpoint_map(saved.parent_config, saved.metadata),
        tasks=tuple(shown),
        interrupts=tuple(waiting),
    )


def _with_checkpoint_map(config: RunnableConfig, metadata: CheckpointMetadata) -> RunnableConfig:
    """A subgraph checkpoint's config as LangGraph gives it: with ``checkpoint_map``,
    each enclosing namespace (from the metadata's ``parents``) and its own mapped
    to their checkpoint ids. A root checkpoint's config is left as it is."""
    parents = metadata.get("parents") if metadata else None
    if not parents:
        return config
    configurable = config["configurable"]
    own = {configurable["checkpoint_ns"]: configurable["checkpoint_id"]}
    return {**config, "configurable": {**configurable, "checkpoint_map": {**parents, **own}}}


def get_state(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    *,
    subgraphs: bool,
) -> StateSnapshot:
    owner = _graph_at(graph, config)
    saver = saver_of(owner, saver)
    saved = saver.get_tuple(config)
    if saved is None:
        wanted = config_checkpoint_id(config)
        if wanted is not None:
            raise CheckpointNotFoundError(
                f"thread {config_thread_id(config)!r} has no checkpoint {wanted!r}; list the "
                "saved ones with get_state_history(config)."
            )
        return StateSnapshot({}, (), config, None, None, None, (), ())
    live = config_checkpoint_id(config) is None
    return snapshot_of(owner, saver, saved, subgraphs, live=live)


def saver_of(graph: CompiledStateGraph, default: BaseCheckpointSaver) -> BaseCheckpointSaver:
    """Where ``graph``'s checkpoints are: its own saver, or (as a subgraph) its parent's."""
    own = graph.checkpointer
    return own if isinstance(own, BaseCheckpointSaver) else default


def _graph_at(graph: CompiledStateGraph, config: RunnableConfig) -> CompiledStateGraph:
    """The (sub)graph whose checkpoints live in ``config``'s namespace."""
    namespace = config_namespace(config)
    if not namespace:
        return graph
    current = graph
    for part in namespace.split("|"):
        node = current.spec.nodes.get(part.split(":", 1)[0])
        if node is None or node.subgraph is None:
            raise CheckpointNotFoundError(
                f"namespace {namespace!r} does not name a subgraph of this graph; take "
                "namespaces from get_state(config, subgraphs=True).tasks[i].state"
            )
        current = node.subgraph
    return current


def history(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    filter: Mapping[str, Any] | None,
    before: RunnableConfig | None,
    limit: int | None,
) -> Iterator[StateSnapshot]:
    config_thread_id(config)
    scoped = {"configurable": {**config["configurable"]}}
    # A checkpoint_id in the config narrows the history to that checkpoint, as the
    # savers' list() (and LangGraph's history) does.
    scoped["configurable"].setdefault("checkpoint_ns", "")
    owner = _graph_at(graph, scoped)
    saver = saver_of(owner, saver)
    for saved in saver.list(scoped, filter=filter, before=before, limit=limit):
        yield snapshot_of(owner, saver, saved, False, live=False)


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


COPY = "__copy__"
"""``update_state(config, None, as_node="__copy__")``: copy a checkpoint as a fork."""


def _copy(saver: BaseCheckpointSaver, saved: CheckpointTuple | None, values: Any) -> RunnableConfig:
    """A copy of ``saved`` as the newest checkpoint of its branch (source ``fork``)."""
    if saved is None:
        raise InvalidUpdateError(
            "update_state(as_node='__copy__') needs a saved checkpoint to copy; this thread "
            "has none. Run the graph first, or pass a config naming a saved checkpoint."
        )
    if values is not None:
        raise InvalidUpdateError(
            "update_state(config, values, as_node='__copy__') copies a checkpoint as it is; "
            "pass values=None, then update the copy with a second update_state call."
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


INPUT = "__input__"
"""``StateUpdate(values, as_node="__input__")``: save ``values`` as a run's input."""


def _task_result(writes: list[tuple[str, Any]], state_keys: set[str]) -> dict[str, Any]:
    """A task's state writes by key; a key written more than once (a ToolNode whose
    tools returned Commands) shows ``{"$writes": [first, second, ...]}``, as in LangGraph."""
    result: dict[str, Any] = {}
    repeated: set[str] = set()
    for channel, value in writes:
        if channel not in state_keys:
            continue
        if channel in repeated:
            result[channel]["$writes"].append(value)
        elif channel in result:
            result[channel] = {"$writes": [result[channel], value]}
            repeated.add(channel)
        else:
            result[channel] = value
    return result


def _pending(
    spec: GraphSpec,
    channels: Mapping[str, Channel],
    versions: Mapping[str, int],
    seen: Mapping[str, Mapping[str, int]],
    saved: CheckpointTuple | None,
    namespace: str,
) -> list[Task]:
    """The pull tasks the saved checkpoint would run next, with no writes, narrowed
    to the triggers that lapse when their step is replaced.

    As in LangGraph, a fired edge or the input is gone after the update; a full
    join barrier or a deferred node's trigger still waits for its node. (The
    ``Send`` packets are dropped by the caller.)
    """
    if saved is None:
        return []
    pending = prepare_tasks(
        spec,
        channels,
        versions,
        seen,
        checkpoint_id=saved.checkpoint.id,
        namespace=namespace,
        with_input=False,
    )
    return [
        dataclasses.replace(task, triggers=lapsing)
        for task in pending
        if task.path[0] == PULL
        and (lapsing := tuple(key for key in task.triggers if channels[key].lapses))
    ]


def update_state(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    supersteps: Sequence[Sequence[tuple[Any, str | None]]],
) -> RunnableConfig:
    """Each superstep's updates as one checkpoint, in order; the config of the last.

    An update is ``(values, as_node)``. A superstep of several updates applies
    them together, as the writes of that many tasks of one step.
    """
    if not supersteps:
        raise InvalidUpdateError(
            "bulk_update_state needs at least one superstep: a list of lists of StateUpdate"
        )
    if any(not updates for updates in supersteps):
        raise InvalidUpdateError("bulk_update_state: a superstep holds no update")
    for updates in supersteps:
        config = _superstep(graph, saver, config, list(updates))
    return config


def _superstep(
    graph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    updates: list[tuple[Any, str | None]],
) -> RunnableConfig:
    graph = _graph_at(graph, config)
    saver = saver_of(graph, saver)
    spec = graph.spec
    thread_id = config_thread_id(config)
    namespace = config_namespace(config)
    saved = saver.get_tuple(config)
    if saved is None and config_checkpoint_id(config) is not None:
        raise CheckpointNotFoundError(
            f"thread {thread_id!r} has no checkpoint {config_checkpoint_id(config)!r}"
        )
    special = [as_node for _values, as_node in updates if as_node in (COPY, INPUT)]
    if special and len(updates) > 1:
        raise InvalidUpdateError(
            f"as_node={special[0]!r} takes one update alone in its superstep; put the other "
            "updates in supersteps of their own"
        )
    if special == [COPY]:
        return _copy(saver, saved, updates[0][0])
    if len(updates) > 1 and any(as_node is None for _values, as_node in updates):
        raise InvalidUpdateError(
            "several updates in one superstep each need as_node=: cairngraph cannot tell "
            "which node each one is from"
        )
    migrated: dict[str, int] = {}
    if saved is not None and may_migrate(spec.versioning, saved):
        found = migrate_loaded(spec.versioning, saved)
        saved, migrated = found.loaded, dict(found.changed)
    checkpoint = saved.checkpoint if saved else None
    channels = restore_channels(spec.channels, checkpoint.channel_values if checkpoint else {})
    versions = dict(checkpoint.channel_versions) if checkpoint else {}
    seen = {k: dict(v) for k, v in checkpoint.versions_seen.items()} if checkpoint else {}
    step = int(saved.metadata.get("step", -1)) + 1 if saved else -1
    changed: dict[str, int] = {}
    source = "update"
    if special == [INPUT]:
        # The input of a run not started yet: the next invoke(None, config) runs it.
        channels[START].update([updates[0][0]])
        version = next_version(versions.get(START))
        versions[START] = version
        changed = {START: version}
        source = "input"
        if saved is None:
            step = -1
    else:
        tasks = []
        for values, as_node in updates:
            node_name = as_node or _infer_as_node(graph, saved)
            if node_name not in spec.nodes and node_name != END:
                raise InvalidUpdateError(
                    f"update_state(as_node={node_name!r}): no node has that name; known "
                    f"nodes: {', '.join(n for n in spec.nodes if n != START)}"
                )
            if node_name == END:
                continue
            node = spec.nodes[node_name]
            task = Task(
                id="",
                name=node_name,
                path=("__pregel_pull", node_name),
                input=None,
                node=node,
                # What the update consumes is the pending step's (below), as in
                # LangGraph: its own task reads no trigger.
                triggers=(),
                channels=channels,
            )
            task.writes = node.write(values, task.read_fresh)
            tasks.append(task)
        if tasks:
            # As in LangGraph, an update is a step: Sends still waiting from the last
            # step are dropped (the updated node's own routing sends anew).
            dropped = TASKS in channels and channels[TASKS].consume()
            # The update replaces the step that was about to run: that step's tasks
            # are consumed with it, so a route chosen before the update does not
            # run next to the one the update chooses.
            pending = _pending(spec, channels, versions, seen, saved, namespace)
            changed, _ = apply_writes(channels, versions, seen, [*pending, *tasks])
            if dropped and TASKS not in changed:
                versions[TASKS] = changed[TASKS] = next_version(versions.get(TASKS))
            seen[RAN] = {task.name: 1 for task in tasks}
            # As in LangGraph, a step that does not write the input clears it: an
            # input saved by an update and never run is gone after the next update.
            if START not in changed and channels[START].consume():
                versions[START] = changed[START] = next_version(versions.get(START))
    changed = {**migrated, **changed}
    new = Checkpoint(
        id=new_checkpoint_id(after=checkpoint.id if checkpoint else None),
        ts=datetime.now(UTC).isoformat(),
        channel_values=changed_values(channels, changed),
        channel_versions=versions,
        versions_seen=seen,
        updated_channels=tuple(sorted(changed)),
    )
    metadata: CheckpointMetadata = {"source": source, "step": step, "parents": {}}  # type: ignore[typeddict-item]
    if spec.versioning is not None:
        metadata.update(spec.versioning.stamp)  # type: ignore[typeddict-item]
    base = (
        saved.config
        if saved
        else {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace}}
    )
    return saver.put(base, new, metadata, changed)
