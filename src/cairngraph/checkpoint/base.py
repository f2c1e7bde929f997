"""The saver contract: what a checkpoint is and what every backend must do.

Data model (see DESIGN.md):

- A *thread* holds checkpoints in *namespaces* (``""`` for the root graph, one
  per subgraph task). Checkpoint ids are time-ordered strings, so within a
  namespace the newest checkpoint is the greatest id.
- A :class:`Checkpoint` is small: versions and which node has seen which
  version. Channel values are stored apart, one blob per
  ``(thread, namespace, channel, version)``. ``put`` receives the versions that
  changed in this step (``new_versions``) and stores only those blobs, so a step
  writes bytes in proportion to its change, not to the whole state.
- Pending writes are saved per task as the task finishes, keyed by
  ``(thread, namespace, checkpoint id, task id, index)`` where ``index`` comes
  from :func:`write_index`. A normal write saved twice keeps the first (a
  retried task cannot duplicate its writes); the special channels (error,
  interrupt, resume) have fixed negative indexes and the newest replaces the
  older, so a task that failed and then succeeded is not stuck with its error.

Sync methods are abstract. Async methods work on every saver: by default they
run the sync method in a worker thread; backends with an async driver override
them.
"""

from __future__ import annotations

import asyncio
import builtins
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypedDict

from cairngraph.checkpoint._config import (
    RunnableConfig,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    metadata_matches,
    page_limit,
)
from cairngraph.checkpoint._langgraph_shape import accept
from cairngraph.checkpoint._lifecycle import Lifecycle
from cairngraph.checkpoint._local_locks import LocalThreadLocks, busy
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import SerializationError, ThreadBusyError

__all__ = [
    "FORMAT_VERSION",
    "BaseCheckpointSaver",
    "ChannelVersions",
    "Checkpoint",
    "CheckpointMetadata",
    "CheckpointTuple",
    "PendingWrite",
    "RunnableConfig",
    "StepSave",
    "TaskWrites",
    "ThreadInfo",
    "VerifyReport",
    "checkpoint_config",
    "config_checkpoint_id",
    "config_namespace",
    "config_thread_id",
    "make_checkpoint",
    "metadata_matches",
    "write_index",
    "ERROR",
    "ERROR_SOURCE_NODE",
    "INTERRUPT",
    "RESUME",
    "STATE_VERSION_WRITE",
]

FORMAT_VERSION = 1
"""Version of the :class:`Checkpoint` layout; stored with every checkpoint."""

ERROR = "__error__"
"""Write channel holding a task's exception (as its type name and message)."""
INTERRUPT = "__interrupt__"
"""Write channel holding the interrupts a task raised."""
RESUME = "__resume__"
"""Write channel holding the values a task's interrupts are resumed with."""
STATE_VERSION_WRITE = "__state_version__"
"""Write channel holding the state version of the code that made a task's other writes,
saved only on a checkpoint older than that code's graph (see ``engine/_migrate.py``)."""

ERROR_SOURCE_NODE = "__error_source_node__"
"""Write channel naming the node whose failure an error handler took (LangGraph's)."""
NO_WRITES = "__no_writes__"
"""The write a task that finished without writing anything leaves (LangGraph's marker):
a resumed step knows it finished and does not run it again."""

_SPECIAL_INDEX = {ERROR: -1, INTERRUPT: -2, RESUME: -3, STATE_VERSION_WRITE: -4}


def write_index(channel: str, position: int) -> int:
    """The storage index of the ``position``-th write of a task.

    Negative for the special channels: a saver *replaces* a write with a
    negative index and keeps the first of a write with a positive one.
    """
    return _SPECIAL_INDEX.get(channel, position)


ChannelVersions = dict[str, int]
"""Channel name → version. Versions only grow along one branch of a thread."""


class CheckpointMetadata(TypedDict, total=False):
    """What a checkpoint says about how it was made; filterable in ``list()``.

    ``source`` is ``"input"`` (the run's input), ``"loop"`` (after a
    superstep), ``"update"`` (``update_state``) or ``"fork"`` (a copy made to
    branch off an older checkpoint). ``step`` is -1 for the input, then 0, 1, ….
    Anything the caller passes in ``config["metadata"]`` is kept too.
    """

    source: Literal["input", "loop", "update", "fork"]
    step: int
    parents: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """One saved moment of one namespace of a thread.

    Example::

        Checkpoint(id=new_checkpoint_id(), ts="2026-01-01T00:00:00+00:00",
                   channel_values={"topic": "x"}, channel_versions={"topic": 1},
                   versions_seen={}, updated_channels=("topic",))
    """

    id: str
    ts: str
    channel_values: Mapping[str, Any]
    channel_versions: Mapping[str, int]
    versions_seen: Mapping[str, Mapping[str, int]]
    updated_channels: tuple[str, ...] = ()
    v: int = FORMAT_VERSION
    channel_appends: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    """A hint for savers, never stored as such: ``channel → (base_version, kept)``
    says the new value of ``channel`` is a list whose first ``kept`` items are
    the items of its value at ``base_version``. A saver may store only
    ``value[kept:]`` with a reference to the base blob (delta storage for
    append-style reducers such as ``add_messages``), as long as reading gives
    back the whole list."""

    def __getitem__(self, key: str) -> Any:
        """LangGraph's checkpoints are dicts: ``checkpoint["channel_values"]`` works here too."""
        if key not in _CHECKPOINT_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        """``"channel_values" in checkpoint``, as for LangGraph's dict."""
        return key in _CHECKPOINT_KEYS

    def get(self, key: str, default: Any = None) -> Any:
        """``checkpoint.get("ts")``, as for LangGraph's dict."""
        return getattr(self, key) if key in _CHECKPOINT_KEYS else default


_CHECKPOINT_KEYS = frozenset(
    ("id", "ts", "channel_values", "channel_versions", "versions_seen", "updated_channels", "v")
)

_NO_APPENDS: Mapping[str, tuple[int, int]] = MappingProxyType({})
_new = object.__new__
_set_id, _set_ts, _set_values, _set_versions, _set_seen, _set_updated, _set_v, _set_appends = (
    getattr(Checkpoint, name).__set__
    for name in (
        "id",
        "ts",
        "channel_values",
        "channel_versions",
        "versions_seen",
        "updated_channels",
        "v",
        "channel_appends",
    )
)


def make_checkpoint(
    id: str,
    ts: str,
    channel_values: Mapping[str, Any],
    channel_versions: Mapping[str, int],
    versions_seen: Mapping[str, Mapping[str, int]],
    updated_channels: tuple[str, ...],
    v: int = FORMAT_VERSION,
    channel_appends: Mapping[str, tuple[int, int]] = _NO_APPENDS,
) -> Checkpoint:
    """``Checkpoint(...)`` by position, about three times as fast as the dataclass's
    keyword ``__init__`` (a frozen dataclass sets each field through
    ``object.__setattr__``): reads and steps build one per checkpoint.

    Example::

        make_checkpoint(new_checkpoint_id(), "2026-01-01T00:00:00+00:00", {}, {}, {}, ())
    """
    checkpoint = _new(Checkpoint)
    _set_id(checkpoint, id)
    _set_ts(checkpoint, ts)
    _set_values(checkpoint, channel_values)
    _set_versions(checkpoint, channel_versions)
    _set_seen(checkpoint, versions_seen)
    _set_updated(checkpoint, updated_channels)
    _set_v(checkpoint, v)
    _set_appends(checkpoint, channel_appends)
    return checkpoint


class PendingWrite(NamedTuple):
    """One value a task wrote to one channel, saved before its step completed.

    A ``(task_id, channel, value)`` tuple, as LangGraph's pending writes are (it
    compares, unpacks and prints as one); the names are for reading code.
    """

    task_id: str
    channel: str
    value: Any

    def __repr__(self) -> str:
        return tuple.__repr__(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskWrites:
    """All the writes of one finished task, as handed to :meth:`BaseCheckpointSaver.put_step`."""

    task_id: str
    writes: Sequence[tuple[str, Any]]
    task_path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSave:
    """One step to save: the arguments of :meth:`BaseCheckpointSaver.put_step`."""

    config: RunnableConfig
    task_writes: Sequence[TaskWrites]
    checkpoint: Checkpoint
    metadata: CheckpointMetadata
    new_versions: ChannelVersions

    @classmethod
    def of(
        cls,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> StepSave:
        """The step of a :meth:`BaseCheckpointSaver.put_step` call, from its arguments."""
        return cls(
            config=config,
            task_writes=task_writes,
            checkpoint=checkpoint,
            metadata=metadata,
            new_versions=new_versions,
        )


class CheckpointTuple(NamedTuple):
    """A checkpoint with its config, metadata, parent and pending writes."""

    config: RunnableConfig
    checkpoint: Checkpoint
    metadata: CheckpointMetadata
    parent_config: RunnableConfig | None = None
    pending_writes: list[PendingWrite] = []  # noqa: RUF012 - NamedTuple default, never mutated


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadInfo:
    """A thread as :meth:`BaseCheckpointSaver.threads` lists it: its latest root checkpoint.

    Example::

        ThreadInfo(thread_id="1", checkpoint_id="01a2...", ts="2026-01-01T00:00:00+00:00",
                   metadata={"source": "loop", "step": 2})
    """

    thread_id: str
    checkpoint_id: str
    ts: str
    metadata: CheckpointMetadata


@dataclass(slots=True)
class VerifyReport:
    """What :meth:`BaseCheckpointSaver.verify` found: every bad row, not only the first.

    ``problems`` holds one :class:`~cairngraph.errors.CorruptDataError` or
    :class:`~cairngraph.errors.DecryptionError` per bad row, each naming its
    table and place as attributes; ``checked`` counts the rows read.

    Example::

        report = saver.verify()
        if not report.ok:
            for problem in report.problems:
                print(problem.table, problem.thread_id, problem)
    """

    checked: int = 0
    problems: builtins.list[Exception] = field(default_factory=builtins.list)

    @property
    def ok(self) -> bool:
        return not self.problems


class BaseCheckpointSaver(Lifecycle, ABC):
    """Base class of every checkpointer.

    Subclasses implement five sync methods (``get_tuple``, ``list``,
    ``put_steps``, ``put_writes``, ``delete_thread``) and the three lifecycle
    primitives (``_index``, ``_retain``, ``_copy``: see ``_lifecycle.py``);
    ``put``, ``put_step``, ``prune``, ``copy_thread``, ``delete_for_runs``,
    ``sweep`` and the async twins then work out of the box. A backend shared by several
    processes also overrides :meth:`thread_lock` so that two runs of one
    thread never interleave.

    Example::

        saver = InMemorySaver()
        graph = builder.compile(checkpointer=saver)
        for item in saver.list({"configurable": {"thread_id": "1"}}):
            print(item.metadata["step"], item.checkpoint.id)
    """

    serde: SerializerProtocol

    def __init__(self, *, serde: SerializerProtocol | None = None) -> None:
        if serde is None:
            from cairngraph.checkpoint.serde import MsgpackSerializer

            serde = MsgpackSerializer()
        self.serde = serde
        self._local_locks = LocalThreadLocks()

    # -- the contract ------------------------------------------------------

    @abstractmethod
    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint named by ``config`` (its ``checkpoint_id``, else the latest), or None."""

    @abstractmethod
    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first: of one thread (and namespace, if given), or of all threads.

        ``filter`` keeps those whose metadata has equal values for every key;
        ``before`` keeps ids smaller than its ``checkpoint_id``; ``limit`` caps the count.
        """

    def list_eager(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """:meth:`list`, every tuple opened (checked, decoded) before it is yielded.

        For a caller that reads every field of what it lists (a history, an
        export). A saver whose ``list()`` defers opening rows until they are
        read (SQLite's) opens them here in the fewest statements; elsewhere it
        is ``list()``.
        """
        return self.list(config, filter=filter, before=before, limit=limit)

    @abstractmethod
    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Save consecutive steps, in order, all or nothing; return each checkpoint's config.

        A step is its tasks' last writes (against the parent checkpoint its
        ``config`` names) and the checkpoint that closes it. Only the channels
        in its ``new_versions`` have new values to store; the others are
        already saved at the version the checkpoint names (in the parent), or
        are in its ``channel_values``. ``durability="async"`` hands several
        steps at once, so a run that outpaces its store pays one commit per batch.
        """

    @abstractmethod
    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Save one task's writes against the checkpoint ``config`` names."""

    @abstractmethod
    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint, blob and write of ``thread_id``, and leave a tombstone.

        A run still holding the thread (another process, a graph mid-run) gets
        :class:`~cairngraph.errors.ThreadDeletedError` at its next save instead of
        bringing part of the thread back; a new run with input on the thread id
        starts it afresh (see ``_retention.py``).
        """

    # -- derived operations ----------------------------------------------

    def get(self, config: RunnableConfig) -> Checkpoint | None:
        """The checkpoint alone, without metadata or writes."""
        found = self.get_tuple(config)
        return None if found is None else found.checkpoint

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint | Mapping[str, Any],
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, Any],
    ) -> RunnableConfig:
        """Save ``checkpoint`` as a child of ``config``'s checkpoint; return its config.

        ``checkpoint`` may also be a LangGraph checkpoint dict (LangGraph's
        saver protocol); see ``_langgraph_shape`` for how it is converted.
        """
        record, versions = accept(checkpoint, new_versions)
        return self.put_steps([StepSave.of(config, (), record, metadata, versions)])[0]

    def put_step(
        self,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Save the last writes of a step and the checkpoint that closes it, at once."""
        step = StepSave.of(config, task_writes, checkpoint, metadata, new_versions)
        return self.put_steps([step])[0]

    def threads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Iterator[ThreadInfo]:
        """Threads, the most recently saved first, each with its latest root checkpoint.

        ``search`` keeps thread ids containing it; ``filter`` keeps threads whose
        latest checkpoint's metadata has equal values for every key; ``before``
        (a thread id) continues a listing after that thread; ``limit`` caps the
        count. This default reads every checkpoint through :meth:`list`;
        ``SqliteSaver`` and ``PostgresSaver`` read only each thread's latest row.

        Example::

            page = list(saver.threads(limit=50))
            more = list(saver.threads(before=page[-1].thread_id, limit=50))
        """
        limit = page_limit("threads", limit)
        latest: dict[str, ThreadInfo] = {}
        for item in self.list(None):
            thread_id = config_thread_id(item.config)
            if config_namespace(item.config) == "" and thread_id not in latest:
                latest[thread_id] = ThreadInfo(
                    thread_id=thread_id,
                    checkpoint_id=item.checkpoint.id,
                    ts=item.checkpoint.ts,
                    metadata=item.metadata,
                )
        ordered = sorted(
            latest.values(), key=lambda t: (t.checkpoint_id, t.thread_id), reverse=True
        )
        if before is not None:
            mark = latest.get(before)
            if mark is None:  # as the savers' SQL: after an unknown thread comes nothing
                return
            ordered = [
                t for t in ordered if (t.checkpoint_id, t.thread_id) < (mark.checkpoint_id, before)
            ]
        count = 0
        for info in ordered:
            if limit is not None and count >= limit:
                return
            if (search is None or search in info.thread_id) and metadata_matches(
                info.metadata, filter
            ):
                count += 1
                yield info

    def verify(self) -> VerifyReport:
        """Check every stored payload; report every bad row (see :class:`VerifyReport`).

        This default reads every checkpoint through :meth:`list` and stops at
        the first problem; cairngraph's savers scan their tables and go on.
        """
        report = VerifyReport()
        try:
            for _item in self.list(None):
                report.checked += 1
        except SerializationError as error:
            report.problems.append(error)
        return report

    async def averify(self) -> VerifyReport:
        """Async twin of :meth:`verify`."""
        return await asyncio.to_thread(self.verify)

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold ``thread_id`` for one run; raise :class:`ThreadBusyError` after ``timeout`` s.

        The default lock covers one process. Savers shared between processes
        override it with a lock the database holds.
        """
        return self._hold_local(thread_id, timeout)

    def athread_lock(self, thread_id: str, timeout: float) -> AbstractAsyncContextManager[None]:
        """Async twin of :meth:`thread_lock`."""
        return self._ahold(thread_id, timeout)

    @contextmanager
    def _hold_local(self, thread_id: str, timeout: float) -> Iterator[None]:
        lock = self._local_locks.get(thread_id)
        if not lock.acquire(timeout=timeout):
            raise busy(thread_id, timeout)
        try:
            yield
        finally:
            lock.release()

    @asynccontextmanager
    async def _ahold(self, thread_id: str, timeout: float) -> AsyncIterator[None]:
        deadline = time.monotonic() + timeout
        # Try without blocking and sleep between tries: a blocking wait would
        # stall the event loop, and with it every other run it serves.
        while True:
            holder = self.thread_lock(thread_id, 0)
            try:
                holder.__enter__()
                break
            except ThreadBusyError:
                if time.monotonic() >= deadline:
                    raise busy(thread_id, timeout) from None
                await asyncio.sleep(0.005)
        try:
            yield
        finally:
            holder.__exit__(None, None, None)

    # -- async twins -----------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Async twin of :meth:`get_tuple`."""
        return await asyncio.to_thread(self.get_tuple, config)

    async def aget(self, config: RunnableConfig) -> Checkpoint | None:
        """Async twin of :meth:`get`."""
        found = await self.aget_tuple(config)
        return None if found is None else found.checkpoint

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Async twin of :meth:`list`."""
        items = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for item in items:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint | Mapping[str, Any],
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, Any],
    ) -> RunnableConfig:
        """Async twin of :meth:`put`."""
        record, versions = accept(checkpoint, new_versions)
        step = StepSave.of(config, (), record, metadata, versions)
        return (await self.aput_steps([step]))[0]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Async twin of :meth:`put_writes`."""
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def aput_step(
        self,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Async twin of :meth:`put_step`."""
        step = StepSave.of(config, task_writes, checkpoint, metadata, new_versions)
        return (await self.aput_steps([step]))[0]

    async def aput_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Async twin of :meth:`put_steps`."""
        return await asyncio.to_thread(self.put_steps, steps)

    async def athreads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[ThreadInfo]:
        """Async twin of :meth:`threads`."""
        found = await asyncio.to_thread(
            lambda: builtins.list(
                self.threads(search=search, filter=filter, before=before, limit=limit)
            )
        )
        for info in found:
            yield info

    async def adelete_thread(self, thread_id: str) -> None:
        """Async twin of :meth:`delete_thread`."""
        await asyncio.to_thread(self.delete_thread, thread_id)
