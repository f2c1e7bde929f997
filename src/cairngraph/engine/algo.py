"""The superstep core as pure functions: no I/O, no threads, no saver.

A step has two halves. :func:`prepare_tasks` decides which nodes run from the
channels and the versions each node has seen: a node runs when one of its
trigger channels has a newer version than it saw (and the channel is
available), and a ``Send`` packet in the tasks channel starts one node with
its own input. :func:`apply_writes` takes the writes of every finished task,
feeds each channel all of its writes at once, and bumps the version of each
channel that changed.

Task ids are derived from the checkpoint id and the task's path, so preparing
the same checkpoint twice gives the same ids: that is how saved pending
writes find their task again after a crash.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from cairngraph.cache.base import FullKey
from cairngraph.checkpoint._ids import task_id_for
from cairngraph.constants import PULL, PUSH, START, TASKS
from cairngraph.engine._cache import NodeCache
from cairngraph.engine.channels import MISSING, BinaryOperatorAggregate, Channel, Trigger
from cairngraph.types import RetryPolicy, Send, TimeoutPolicy

if TYPE_CHECKING:
    from cairngraph.engine._migrate import StateVersioning

__all__ = [
    "GraphSpec",
    "NodeSpec",
    "Task",
    "apply_writes",
    "finish_deferred",
    "next_version",
    "prepare_tasks",
    "restore_channels",
    "task_id_for",
]

Writes = list[tuple[str, Any]]
Reader = Callable[[Mapping[str, Channel]], Any]
ReadFresh = Callable[[Sequence[tuple[str, Any]], Reader | None], Any]
"""Gives a node's router the state as it is after the node's own writes.

The second argument reads that state (the node's own reader when None).
"""


class Writer(Protocol):
    """Turns what a node returned into channel writes (built by ``compile()``)."""

    def __call__(self, output: Any, read_fresh: ReadFresh) -> Writes: ...

    def updates_of(self, output: Any) -> Writes:
        """Only the state updates of ``output`` (checks an input or an ``update_state``)."""
        ...

    def command_writes(self, command: Any) -> Writes:
        """The writes of a ``Command``'s update and goto, without the node's edges."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    """A node as the engine sees it, built by ``compile()``.

    ``run(input, config)`` calls the user's function in sync runs and
    ``arun`` in async runs (either may be None: an async-only node has no
    ``run``; a sync node's ``arun`` is None and runs in a worker thread).
    ``write(output, read_fresh)`` turns what it returned into channel writes
    (state updates, edges, sends).
    """

    name: str
    triggers: tuple[str, ...]
    run: Callable[[Any, Any], Any] | None
    arun: Callable[[Any, Any], Any] | None
    read: Callable[[Mapping[str, Channel]], Any]
    write: Writer
    retry: RetryPolicy | None = None
    subgraph: Any | None = None
    hidden: bool = False
    cache: NodeCache | None = None
    """Where its writes are cached (``add_node(cache_policy=)``), if the graph has a cache."""
    timeout: TimeoutPolicy | None = None
    """How long each attempt may run (``add_node(timeout=)``); only nodes with an ``arun``."""
    traced: bool = True
    """Whether its attempts are runs for callbacks (LangGraph reports START only when
    routers follow it)."""
    shown_input: Callable[[Any], Any] | None = None
    """What callbacks see as an attempt's input, when not the input itself (a ``@task``
    call's arguments by name)."""

    error_handler: NodeSpec | None = None
    """The node that runs, in the same step, when this one fails for good
    (``add_node(error_handler=)``); it takes this node's input and the failure."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphSpec:
    """Everything the engine needs to run a compiled graph."""

    nodes: Mapping[str, NodeSpec]
    channels: Mapping[str, Channel]
    state_keys: tuple[str, ...]
    output: Callable[[Mapping[str, Channel]], Any]
    values: Callable[[Mapping[str, Channel]], Any]
    trigger_to_nodes: Mapping[str, tuple[str, ...]]
    continuations: Mapping[str, tuple[str, ...]]
    """node → trigger channels of its plain outgoing edges (for continuing finished threads)."""
    managed: Mapping[str, Any] = field(default_factory=dict)
    """Managed value keys → their manager (``get(step, stop)``), filled in before each step."""
    deferred: tuple[str, ...] = ()
    """Trigger channels of ``defer=True`` nodes (finished when nothing else runs)."""
    order: Mapping[str, int] = field(default_factory=dict)
    """node → position, so tasks come out in the order nodes were added."""
    versioning: StateVersioning | None = None
    """The state schema's version and migrations, when the graph declares a version."""
    handles_errors: bool = False
    """Some node has an error handler (else a run never looks for one)."""
    output_keys: tuple[str, ...] = ()
    """The output schema's keys: a run none of whose steps wrote one returns None, as
    LangGraph's ``invoke`` does (empty: the run always has its output)."""
    value_keys: tuple[str, ...] = ()
    """The keys ``values`` shows: the state keys, then keys only a node's own input
    schema declares (the state keys when empty)."""

    def __post_init__(self) -> None:
        if not self.value_keys:
            object.__setattr__(self, "value_keys", self.state_keys)
        if not self.order:
            object.__setattr__(self, "order", {name: i for i, name in enumerate(self.nodes)})


@dataclass(slots=True, kw_only=True)
class Task:
    """One node to run in one step, and what became of it."""

    id: str
    name: str
    path: tuple[Any, ...]
    input: Any
    node: NodeSpec
    triggers: tuple[str, ...]
    writes: Writes = field(default_factory=list)
    error: BaseException | None = None
    interrupts: tuple[Any, ...] = ()
    paused: bool = False
    """The task stopped in ``interrupt()`` or in a subgraph that paused (its
    ``interrupts`` may be empty: a subgraph's static breakpoint has no value)."""
    done: bool = False
    result: Any = None
    resumes: list[Any] = field(default_factory=list)
    resumes_changed: bool = False
    pending_resume: tuple[bool, Any] = (False, None)
    channels: Mapping[str, Channel] | None = None
    checkpoint_id: str = ""
    step: int = 0
    cache_key: FullKey | None = None
    """Where its writes are cached, when its node has a cache policy and the graph a cache."""
    cached: bool = False
    """Its writes came from the graph's cache: the node was not called."""
    calls: Sequence[tuple[str, list[tuple[str, Any]]]] = ()
    """``(task id, writes)`` of the ``@task`` calls it made whose writes are not saved
    yet (``durability="async"``/``"exit"``): saved if the step fails or pauses."""
    namespace: str | None = None
    """Its own namespace when it is not its graph's plus ``name:id`` (a ``@task`` call
    nests under the task that called it)."""
    writes_version: int | None = None
    """The graph's state version, when the task runs on a checkpoint older than it: saved
    with its writes, so a later load knows they are the new code's (``_migrate.py``)."""

    handler: Task | None = None
    """The error handler task that took its failure (:mod:`~cairngraph.engine._handlers`)."""
    node_error: Any = None
    """For an error handler task: the :class:`~cairngraph.errors.NodeError` it handles."""

    def read_fresh(
        self,
        writes: Sequence[tuple[str, Any]],
        reader: Reader | None = None,
    ) -> Any:
        """The node's view of the state with its own ``writes`` applied (for routers)."""
        assert self.channels is not None
        channels = self.channels
        local: dict[str, Channel]
        if type(channels) is ChannelMap:
            # Lazy too: a key the run has not touched yet still reads as its start value.
            local = ChannelMap(channels.prototypes)
            local.update(channels)
        else:
            local = dict(channels)
        grouped: dict[str, list[Any]] = {}
        for key, value in writes:
            grouped.setdefault(key, []).append(value)
        for key, values in grouped.items():
            original = local.get(key)
            if original is None:
                continue
            copy = original.copy()
            copy.update(values)
            local[key] = copy
        return (reader or self.node.read)(local)


def next_version(current: int | None) -> int:
    """A version greater than ``current``, unique across branches of a thread.

    The high bits count; the low 32 bits are random so two branches that
    reach the same count still name different blobs (uniqueness, not secrecy:
    the fast non-cryptographic generator is enough).
    """
    counter = 0 if current is None else current >> 32
    return ((counter + 1) << 32) | random.getrandbits(32)


class ChannelMap(dict[str, Channel]):
    """A run's channels, each made from its prototype on first use.

    A graph may have hundreds of trigger channels, of which a step touches a
    few; making them lazily keeps restoring a checkpoint proportional to what
    it holds, not to the size of the graph.
    """

    __slots__ = ("idle", "prototypes")

    def __init__(self, prototypes: Mapping[str, Channel]) -> None:
        super().__init__()
        self.prototypes = prototypes
        self.idle: set[str] = set()
        """The channels made so far that must hear of steps that did not write them."""

    def __missing__(self, key: str) -> Channel:
        channel = self.prototypes[key].fresh()
        self[key] = channel
        if channel.notify_idle:
            self.idle.add(key)
        return channel

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return dict.__getitem__(self, key)
        if key in self.prototypes:
            return self[key]
        return default


def restore_channels(prototypes: Mapping[str, Channel], values: Mapping[str, Any]) -> ChannelMap:
    """Channels holding the values of a checkpoint (the others are made empty when needed)."""
    channels = ChannelMap(prototypes)
    for key, value in values.items():
        proto = prototypes.get(key)
        if proto is not None:
            channel = channels[key] = proto.restore(value)
            if channel.notify_idle:
                channels.idle.add(key)
    return channels


def prepare_tasks(
    spec: GraphSpec,
    channels: Mapping[str, Channel],
    versions: Mapping[str, int],
    seen: Mapping[str, Mapping[str, int]],
    *,
    checkpoint_id: str,
    namespace: str,
    candidates: Collection[str] | None = None,
    with_input: bool = True,
    by_name: bool = False,
) -> list[Task]:
    """The tasks of the step that starts from this state, in a stable order.

    ``candidates`` narrows the pull nodes to check (those subscribed to the
    channels the previous step changed); ``None`` checks them all. Pull tasks come
    in the order the nodes were added, or by node name (``by_name``): LangGraph
    runs a step's tasks by name, and shows a saved step's (``get_state``) in the
    order the nodes were added.
    """
    tasks: list[Task] = []
    sends = channels[TASKS].value if TASKS in channels else []
    for index, packet in enumerate(sends):
        assert isinstance(packet, Send)
        node = spec.nodes.get(packet.node)
        if node is None:
            continue
        if packet.timeout is not None:
            # Send(timeout=) replaces the node's own timeout for this one task.
            node = dataclasses.replace(node, timeout=packet.timeout)
        tasks.append(
            Task(
                id=task_id_for(checkpoint_id, namespace, packet.node, (PUSH, index)),
                name=packet.node,
                # LangGraph's shown path: False says the task is not a @task call.
                path=(PUSH, index, False),
                input=packet.arg,
                node=node,
                triggers=(PUSH,),
                channels=channels,
                checkpoint_id=checkpoint_id,
            )
        )
    if candidates is None:
        # Only nodes with a versioned trigger can run.
        candidates = {node for key in versions for node in spec.trigger_to_nodes.get(key, ())}
    if len(candidates) < 2:
        names: Collection[str] = candidates
    elif by_name:
        names = sorted(candidates)
    else:
        names = sorted(candidates, key=spec.order.__getitem__)
    for name in names:
        node = spec.nodes[name]
        node_seen = seen.get(name, _EMPTY)
        fired = False
        for trigger in node.triggers:
            version = versions.get(trigger)
            if (
                version is not None
                and version > node_seen.get(trigger, 0)
                and channels[trigger].is_available()
            ):
                fired = True
                break
        if not fired:
            continue
        pull_path: tuple[Any, ...] = (PULL, name)
        tasks.append(
            Task(
                id=task_id_for(checkpoint_id, namespace, name, pull_path),
                name=name,
                path=pull_path,
                input=node.read(channels) if with_input else None,
                node=node,
                triggers=node.triggers,
                channels=channels,
                checkpoint_id=checkpoint_id,
            )
        )
    return tasks


_EMPTY: Mapping[str, int] = {}


def apply_writes(
    channels: Mapping[str, Channel],
    versions: dict[str, int],
    seen: dict[str, dict[str, int]],
    tasks: Sequence[Task],
) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Fold the writes of finished ``tasks`` into the channels.

    Marks each task's triggers as seen, lets consumed channels reset, applies
    every channel's writes in one ``update`` call (tasks in path order, so the
    result never depends on which thread finished first). Returns the new
    versions of the channels that changed, and for list channels whose update
    only appended, ``(previous_version, kept_length)`` (the savers' delta hint).
    """
    changed: dict[str, int] = {}
    appends: dict[str, tuple[int, int]] = {}
    for task in tasks:
        if task.path[0] != PULL:
            continue
        # Copy on write: checkpoints share the inner dicts of ``seen``.
        node_seen = dict(seen.get(task.name, _EMPTY))
        for trigger in task.triggers:
            version = versions.get(trigger)
            if version is None:
                continue
            if type(channels[trigger]) is Trigger:
                # A consumed trigger is forgotten on both sides: "no version" is
                # "never written", so it fires again when next written, and
                # checkpoints stay as small as the graph's live edges.
                del versions[trigger]
                node_seen.pop(trigger, None)
            else:
                node_seen[trigger] = version
        if node_seen:
            seen[task.name] = node_seen
        else:
            seen.pop(task.name, None)
    consumed = {trigger for task in tasks if task.path[0] == PULL for trigger in task.triggers}
    if any(task.path[0] == PUSH for task in tasks):
        consumed.add(TASKS)
    for key in consumed:
        channel = channels[key]
        if channel.consume():
            changed[key] = versions[key] = next_version(versions.get(key))
    grouped: dict[str, list[Any]] = {}
    ordered = tasks if len(tasks) < 2 else sorted(tasks, key=_path_key)
    for task in ordered:
        for key, value in task.writes:
            bucket = grouped.get(key)
            if bucket is None:
                grouped[key] = [value]
            else:
                bucket.append(value)
    for key, values in grouped.items():
        # Writers only produce keys of the graph's channels.
        channel = channels[key]
        previous = versions.get(key)
        if channel.update(values):
            changed[key] = versions[key] = next_version(previous)
            if (
                previous is not None
                and type(channel) is BinaryOperatorAggregate
                and channel.appended
            ):
                appends[key] = (previous, channel.appended)
    idle = channels.idle if type(channels) is ChannelMap else _idle_of(channels)
    if idle and any(task.name != START for task in tasks):
        # A step ran (the input step does not count): channels such as an
        # EphemeralValue empty themselves when the step did not write them.
        for key in idle:
            channel = channels[key]
            if key not in grouped and channel.is_available() and channel.update(()):
                changed[key] = versions[key] = next_version(versions.get(key))
    return changed, appends


def finish_deferred(
    spec: GraphSpec,
    channels: Mapping[str, Channel],
    versions: dict[str, int],
    seen: Mapping[str, Mapping[str, int]],
    changed: dict[str, int],
    *,
    checkpoint_id: str,
    namespace: str,
) -> None:
    """When no task is left to run, make the deferred nodes' triggers available."""
    if not any(key in versions for key in spec.deferred):
        return
    if prepare_tasks(
        spec,
        channels,
        versions,
        seen,
        checkpoint_id=checkpoint_id,
        namespace=namespace,
        with_input=False,
    ):
        return
    for key in spec.deferred:
        if key in versions and channels[key].finish():
            changed[key] = versions[key] = next_version(versions[key])


def _idle_of(channels: Mapping[str, Channel]) -> list[str]:
    return [key for key, channel in channels.items() if channel.notify_idle]


def _path_key(task: Task) -> str:
    return _path_text(task.path)


def _path_text(part: Any) -> str:
    """A path as text that sorts as LangGraph orders a step's tasks: numbers zero-padded
    (so the eleventh ``Send`` of a step comes after the second), tuples joined."""
    if isinstance(part, tuple | list):
        return "~" + ", ".join(_path_text(item) for item in part)
    if isinstance(part, int) and not isinstance(part, bool):
        return f"{part:010d}"
    return str(part)


def changed_values(channels: Mapping[str, Channel], changed: Iterable[str]) -> dict[str, Any]:
    """The stored form of the channels that changed (absent when empty)."""
    values: dict[str, Any] = {}
    for key in changed:
        stored = channels[key].snapshot()
        if stored is not MISSING:
            values[key] = stored
    return values
