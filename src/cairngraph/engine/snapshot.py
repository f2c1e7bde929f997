"""The read side of a thread (``update_state`` is in ``_update.py``).

A snapshot is computed from a saved checkpoint alone: its channels give the
values, :func:`~cairngraph.engine.algo.prepare_tasks` gives what would run
next, and the checkpoint's pending writes say which of those tasks already
finished (``result``), failed (``error``) or paused (``interrupts``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    BaseCheckpointSaver,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.constants import NULL_TASK_ID, START
from cairngraph.engine._context import task_namespace, without_task_ids
from cairngraph.engine._handlers import error_text
from cairngraph.engine._inputs import SPECIAL, applied
from cairngraph.engine._migrate import (
    may_migrate,
    migrate_loaded,
    rename_reruns,
)
from cairngraph.engine.algo import (
    GraphSpec,
    Task,
    apply_writes,
    prepare_tasks,
    restore_channels,
)
from cairngraph.errors import CheckpointNotFoundError
from cairngraph.types import PregelTask, StateSnapshot

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph

__all__ = ["get_state", "graph_at", "history", "saver_of", "snapshot_of", "tasks_of"]


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
    rerun: Mapping[str, str] = {}
    if may_migrate(spec.versioning, saved):
        found = migrate_loaded(spec.versioning, saved)
        saved, rerun = found.loaded, found.rerun
    config, checkpoint, metadata, parent_config, pending_writes = saved
    channels = restore_channels(spec.channels, checkpoint.channel_values)
    namespace = config_namespace(config)
    tasks = prepare_tasks(
        spec,
        channels,
        checkpoint.channel_versions,
        checkpoint.versions_seen,
        checkpoint_id=checkpoint.id,
        namespace=namespace,
        candidates=_candidates(spec, checkpoint.updated_channels, metadata),
        with_input=False,
    )
    if rerun:
        rename_reruns(tasks, rerun)  # they run again: shown by the ids they run under
    writes: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in pending_writes:
        writes.setdefault(task_id, []).append((channel, value))
    state_keys: set[str] | None = None  # made when a task has results to show
    shown: list[PregelTask] = []
    waiting: list[Any] = []
    finished: list[Task] = []
    for task in tasks:
        saved_writes = writes.get(task.id)
        error = None
        interrupts: tuple[Any, ...] = ()
        result = None
        if saved_writes:
            error = next((error_text(v) for c, v in saved_writes if c == ERROR), None)
            interrupts = tuple(item for c, v in saved_writes if c == INTERRUPT for item in v)
            normal = [(c, v) for c, v in saved_writes if c not in SPECIAL]
            if normal:
                if state_keys is None:
                    state_keys = set(spec.value_keys)
                result = _task_result(normal, state_keys)
            if interrupts and not (live and normal):
                waiting.extend(interrupts)
            if normal and live:
                task.writes = applied(normal)
                finished.append(task)
        child: Any = None
        subgraph = task.node.subgraph
        if subgraph is not None:
            child = _child(subgraph, saver, config, namespace, task, subgraphs)
        shown.append(PregelTask(task.id, task.name, task.path, error, interrupts, child, result))
    # Like LangGraph: the values show the writes of no task (a Command(update=...)
    # answering this checkpoint), then, live, what the step's finished tasks wrote.
    # (Each comprehension is a call: the common snapshot, no writes, makes none.)
    direct = (
        [(c, v) for c, v in writes[NULL_TASK_ID] if c not in SPECIAL]
        if NULL_TASK_ID in writes
        else None
    )
    if direct or finished:
        versions = dict(checkpoint.channel_versions)
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
    if finished:
        done = {task.id for task in finished}
        next_names = tuple(task.name for task in tasks if task.id not in done)
    else:
        next_names = tuple([task.name for task in tasks]) if tasks else ()
    # A root checkpoint's metadata has no parents: its configs are shown as stored.
    if metadata and metadata.get("parents"):
        config = _with_checkpoint_map(config, metadata)
        if parent_config is not None:
            parent_config = _with_checkpoint_map(parent_config, metadata)
    return StateSnapshot(
        spec.values(channels),
        next_names,
        config,
        metadata,
        checkpoint.ts,
        parent_config,
        tuple(shown),
        tuple(waiting),
    )


def _child(
    subgraph: CompiledStateGraph,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    namespace: str,
    task: Task,
    subgraphs: bool,
) -> Any:
    """A subgraph task's state: its config, or (``subgraphs``) its snapshot when saved."""
    child_ns = task_namespace(namespace, task.name, task.id)
    if subgraph.checkpointer is True:
        child_ns = without_task_ids(child_ns)
    child_config = {
        "configurable": {"thread_id": config_thread_id(config), "checkpoint_ns": child_ns}
    }
    if not subgraphs:
        return child_config
    child_saver = saver_of(subgraph, saver)
    found = child_saver.get_tuple(child_config)
    if found is None:
        return child_config
    return snapshot_of(subgraph, child_saver, found, subgraphs, live=True)


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
    owner = graph_at(graph, config)
    saver = saver_of(owner, saver)
    saved = saver.get_tuple(config)
    wanted = config_checkpoint_id(config)
    if saved is None:
        if wanted is not None:
            raise CheckpointNotFoundError(
                f"thread {config_thread_id(config)!r} has no checkpoint {wanted!r}; list the "
                "saved ones with get_state_history(config)."
            )
        return StateSnapshot({}, (), config, None, None, None, (), ())
    return snapshot_of(owner, saver, saved, subgraphs, live=wanted is None)


def saver_of(graph: CompiledStateGraph, default: BaseCheckpointSaver) -> BaseCheckpointSaver:
    """Where ``graph``'s checkpoints are: its own saver, or (as a subgraph) its parent's."""
    own = graph.checkpointer
    return own if isinstance(own, BaseCheckpointSaver) else default


def graph_at(graph: CompiledStateGraph, config: RunnableConfig) -> CompiledStateGraph:
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
    owner = graph_at(graph, scoped)
    saver = saver_of(owner, saver)
    for saved in saver.list_eager(scoped, filter=filter, before=before, limit=limit):
        yield snapshot_of(owner, saver, saved, False, live=False)


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
