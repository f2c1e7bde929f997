"""An in-process checkpointer, for development, tests and short-lived runs.

Values are serialized on the way in and decoded on the way out, exactly as a
durable backend would, so a node that mutates a value in place cannot change
history behind the saver's back, and a type the serializer refuses fails here
first rather than in production.

Layout mirrors the durable savers: small checkpoint records, one blob per
``(thread, namespace, channel, version)``, and writes keyed per task. A list
that only appended to its previous version (``Checkpoint.channel_appends``)
is stored as a delta on it, so the bytes a step stores follow its change, not
the history. A blob lives as long as a checkpoint of its namespace names its
version or a live delta builds on it. A deleted thread leaves a tombstone (its
id in ``_deleted``) until a new history starts on it (``checkpoint/_retention.py``).
"""

from __future__ import annotations

import bisect
import builtins
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

from cairngraph.checkpoint import _memory_rows
from cairngraph.checkpoint._config import ListQuery, metadata_matches, page_limit
from cairngraph.checkpoint._lifecycle import Chooser
from cairngraph.checkpoint._memory_rows import MAX_CHAIN, MAX_POSITION, Blob, Delta
from cairngraph.checkpoint._memory_rows import Namespace as _Namespace
from cairngraph.checkpoint._memory_rows import Saved as _Saved
from cairngraph.checkpoint._memory_rows import SavedWrite as _SavedWrite
from cairngraph.checkpoint._retention import Entry, admission, deleted
from cairngraph.checkpoint._where import Where
from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    CheckpointTuple,
    PendingWrite,
    RunnableConfig,
    StepSave,
    ThreadInfo,
    VerifyReport,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    make_checkpoint,
    write_index,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol, TypedPayload, shared_dumps
from cairngraph.errors import InvalidConfigError, SerializationError

__all__ = ["InMemorySaver", "MemorySaver"]

_Key = tuple[str, str, str, int]
"""``(thread, namespace, channel, version)``: where a channel value is stored."""


class InMemorySaver(BaseCheckpointSaver):
    """Keeps checkpoints in this process's memory; gone when the process ends.

    Example::

        from cairngraph.checkpoint.memory import InMemorySaver
        workflow = graph.compile(checkpointer=InMemorySaver())
        workflow.invoke({"topic": "cats"}, {"configurable": {"thread_id": "1"}})
    """

    def __init__(self, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self._mutex = threading.RLock()
        self._threads: dict[str, dict[str, _Namespace]] = {}
        self._blobs: dict[_Key, Blob] = {}
        self._deleted: set[str] = set()

    # -- reading -------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id = config_thread_id(config)
        namespace = config_namespace(config)
        wanted = config_checkpoint_id(config)
        with self._mutex:
            space = self._threads.get(thread_id, {}).get(namespace)
            if space is None or not space.ids:
                return None
            checkpoint_id = space.ids[-1] if wanted is None else wanted
            saved = space.saved.get(checkpoint_id)
            if saved is None:
                return None
            return self._load(thread_id, namespace, space, saved, None)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        with self._mutex:
            found = list(self._select(config, filter, before, limit))
        yield from found

    def _select(
        self,
        config: RunnableConfig | None,
        filter: Mapping[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Iterator[CheckpointTuple]:
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        cache: dict[_Key, Any] = {}
        candidates: list[tuple[str, str, str, _Namespace]] = []
        for thread_id, spaces in self._threads.items():
            if query.thread_id is not None and thread_id != query.thread_id:
                continue
            for namespace, space in spaces.items():
                if query.checkpoint_ns is not None and namespace != query.checkpoint_ns:
                    continue
                end = (
                    len(space.ids)
                    if query.before_id is None
                    else bisect.bisect_left(space.ids, query.before_id)
                )
                candidates.extend(
                    (checkpoint_id, thread_id, namespace, space)
                    for checkpoint_id in space.ids[:end]
                )
        candidates.sort(key=lambda item: item[:3], reverse=True)
        count = 0
        for checkpoint_id, thread_id, namespace, space in candidates:
            if query.limit is not None and count >= query.limit:
                return
            if query.checkpoint_id is not None and checkpoint_id != query.checkpoint_id:
                continue
            saved = space.saved[checkpoint_id]
            if query.filter and not query.matches(self.serde.loads_typed(saved.metadata)):
                continue
            count += 1
            yield self._load(thread_id, namespace, space, saved, cache)

    def threads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Iterator[ThreadInfo]:
        """Threads, the most recently saved first (see the base class), from each thread's
        newest root id (ids are kept sorted), decoding only the metadata it lists."""
        limit = page_limit("threads", limit)
        with self._mutex:
            latest = [
                (space.ids[-1], thread_id, space.saved[space.ids[-1]])
                for thread_id, spaces in self._threads.items()
                if (space := spaces.get("")) is not None and space.ids
            ]
        latest.sort(key=lambda item: item[:2], reverse=True)
        if before is not None:
            mark = next((item[:2] for item in latest if item[1] == before), None)
            latest = [] if mark is None else [item for item in latest if item[:2] < mark]
        count = 0
        for checkpoint_id, thread_id, saved in latest:
            if limit is not None and count >= limit:
                return
            if search and search not in thread_id:
                continue
            metadata = self.serde.loads_typed(saved.metadata)
            if metadata_matches(metadata, filter):
                count += 1
                yield ThreadInfo(
                    thread_id=thread_id,
                    checkpoint_id=checkpoint_id,
                    ts=saved.checkpoint.ts,
                    metadata=metadata,
                )

    def verify(self) -> VerifyReport:
        """Decode every saved payload; report each one that does not decode.

        The payloads live in this process's memory, so damage is unlikely; a
        value that no longer decodes (a type unregistered since) is reported too.
        """
        report = VerifyReport()
        with self._mutex:
            for thread_id, spaces in self._threads.items():
                for namespace, space in spaces.items():
                    for saved in space.saved.values():
                        report.checked += 1
                        try:
                            self._load(thread_id, namespace, space, saved, None)
                        except SerializationError as error:
                            report.problems.append(error)
        return report

    def _load(
        self,
        thread_id: str,
        namespace: str,
        space: _Namespace,
        saved: _Saved,
        cache: dict[_Key, Any] | None,
    ) -> CheckpointTuple:
        """One checkpoint with its values; ``cache`` (a list() call's) shares each value
        among the checkpoints that name the same version."""
        stored = saved.checkpoint
        values: dict[str, Any] = {}
        for channel, version in stored.channel_versions.items():
            key = (thread_id, namespace, channel, version)
            if cache is None:
                value = self._value(key, stored.id)
            elif key in cache:
                value = cache[key]
            else:
                value = cache[key] = self._value(key, stored.id)
            if value is not _MISSING:
                values[channel] = value
        checkpoint = make_checkpoint(
            stored.id,
            stored.ts,
            values,
            stored.channel_versions,
            stored.versions_seen,
            stored.updated_channels,
            stored.v,
        )
        writes = [
            PendingWrite(item.task_id, item.channel, self.serde.loads_typed(item.value))
            for item in space.writes.get(stored.id, {}).values()
        ]
        parent = (
            None
            if saved.parent_id is None
            else checkpoint_config(thread_id, namespace, saved.parent_id)
        )
        return CheckpointTuple(
            config=checkpoint_config(thread_id, namespace, stored.id),
            checkpoint=checkpoint,
            metadata=self.serde.loads_typed(saved.metadata),
            parent_config=parent,
            pending_writes=writes,
        )

    def _value(self, key: _Key, checkpoint_id: str) -> Any:
        """The value stored at ``key``, a delta rebuilt on its bases (decoded for this read)."""
        blob = self._blobs.get(key)
        if blob is None:
            return _MISSING
        if not isinstance(blob, Delta):
            return self.serde.loads_typed(blob)
        chain: builtins.list[Delta] = []
        while isinstance(blob, Delta):
            chain.append(blob)
            if len(chain) > MAX_CHAIN:
                raise _broken(key, checkpoint_id, "its chain of deltas loops")
            blob = self._blobs.get((*key[:3], blob.base))
            if blob is None:
                raise _broken(key, checkpoint_id, f"the base version {chain[-1].base} is missing")
        value = self.serde.loads_typed(blob)
        for delta in reversed(chain):
            items = self.serde.loads_typed(delta.items)
            if type(value) is not list or type(items) is not list:
                raise _broken(key, checkpoint_id, "a delta or its base is not a list")
            del value[delta.kept :]  # in place: the list was decoded for this read alone
            value.extend(items)
        return value

    # -- writing -------------------------------------------------------------

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Encode every step first, then store them all: a value that cannot be
        serialized leaves nothing of its step behind, as a rolled-back transaction.
        An object several values share (a message in the state and in a ``Send``) is
        encoded once."""
        dumps = shared_dumps(self.serde)
        made: builtins.list[RunnableConfig] = []
        applies = []
        batch: dict[_Key, Blob] = {}  # every blob of this call: a delta may build on one
        deltas: builtins.list[tuple[dict[_Key, Blob], _Key, Any]] = []
        for step in steps:
            thread_id = config_thread_id(step.config)
            namespace = config_namespace(step.config)
            parent_id = config_checkpoint_id(step.config)
            if parent_id is not None:
                for item in step.task_writes:
                    applies.append(
                        self._encoded_writes(
                            thread_id,
                            namespace,
                            parent_id,
                            item.writes,
                            item.task_id,
                            item.task_path,
                            dumps,
                        )
                    )
            checkpoint = step.checkpoint
            values = checkpoint.channel_values
            appends = checkpoint.channel_appends
            blobs: dict[_Key, Blob] = {}
            for channel, version in step.new_versions.items():
                if channel not in values:
                    continue
                key = (thread_id, namespace, channel, version)
                value = values[channel]
                blob = self._encoded(key, value, appends.get(channel), batch, dumps)
                if type(blob) is Delta:
                    deltas.append((blobs, key, value))
                blobs[key] = batch[key] = blob
            stored = make_checkpoint(
                checkpoint.id,
                checkpoint.ts,
                {},
                dict(checkpoint.channel_versions),
                # Shallow copy: a Checkpoint's inner mappings are never mutated after put.
                dict(checkpoint.versions_seen),
                checkpoint.updated_channels,
                checkpoint.v,
            )
            saved = _Saved(stored, dumps(dict(step.metadata)), parent_id)
            applies.append(self._saving(thread_id, namespace, saved, blobs))
            made.append(checkpoint_config(thread_id, namespace, checkpoint.id))
        admitted = admission(steps)
        with self._mutex:
            for thread_id in admitted.checked & self._deleted:
                raise deleted(thread_id)
            for blobs, key, value in deltas:
                # A prune since the encoding may have freed a base: such a value goes whole
                # (a base in this call is there, or went whole itself, first).
                delta = blobs[key]
                assert type(delta) is Delta
                base = (*key[:3], delta.base)
                if base not in batch and base not in self._blobs:
                    blobs[key] = batch[key] = dumps(value)
            self._deleted -= admitted.lifted
            for apply in applies:
                apply()
        return made

    def _encoded(
        self,
        key: _Key,
        value: Any,
        append: tuple[int, int] | None,
        batch: Mapping[_Key, Blob],
        dumps: Callable[[Any], TypedPayload],
    ) -> Blob:
        """``value`` encoded whole, or, when it only appended to a stored list, as a
        :class:`Delta` on the ancestor its position names (``_memory_rows.MAX_POSITION``)."""
        if append is None or type(value) is not list:
            return dumps(value)
        version, length = append

        def stored(version: int) -> Blob | None:
            found = batch.get((*key[:3], version))
            return found if found is not None else self._blobs.get((*key[:3], version))

        blob = stored(version)
        if blob is None:
            return dumps(value)
        position = (blob.position if type(blob) is Delta else 0) + 1
        if position >= MAX_POSITION:
            return dumps(value)
        target = position & (position - 1)
        while type(blob) is Delta and blob.position > target:
            version, length = blob.base, blob.kept
            blob = stored(version)
        if blob is None:
            return dumps(value)
        return Delta(version, length, dumps(value[length:]), position)

    def _saving(
        self,
        thread_id: str,
        namespace: str,
        saved: _Saved,
        blobs: dict[_Key, Blob],
    ) -> Callable[[], None]:
        def apply() -> None:
            self._blobs.update(blobs)
            space = self._space(thread_id, namespace)
            checkpoint_id = saved.checkpoint.id
            if checkpoint_id not in space.saved:
                if not space.ids or space.ids[-1] < checkpoint_id:
                    space.ids.append(checkpoint_id)
                else:
                    bisect.insort(space.ids, checkpoint_id)
            space.saved[checkpoint_id] = saved

        return apply

    def _space(self, thread_id: str, namespace: str) -> _Namespace:
        """The records of ``(thread_id, namespace)``, made on first use (mutex held)."""
        spaces = self._threads.get(thread_id)
        if spaces is None:
            spaces = self._threads[thread_id] = {}
        space = spaces.get(namespace)
        if space is None:
            space = spaces[namespace] = _Namespace()
        return space

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        checkpoint_id = config_checkpoint_id(config)
        if checkpoint_id is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        apply = self._encoded_writes(
            config_thread_id(config),
            config_namespace(config),
            checkpoint_id,
            writes,
            task_id,
            task_path,
        )
        with self._mutex:
            if config_thread_id(config) in self._deleted:
                raise deleted(config_thread_id(config), "save a task's writes")
            apply()

    def _encoded_writes(
        self,
        thread_id: str,
        namespace: str,
        checkpoint_id: str,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
        dumps: Callable[[Any], TypedPayload] | None = None,
    ) -> Callable[[], None]:
        dumps = dumps or self.serde.dumps_typed
        encoded = [
            _SavedWrite(task_id, channel, dumps(value), task_path) for channel, value in writes
        ]

        def apply() -> None:
            space = self._space(thread_id, namespace)
            slot = space.writes.setdefault(checkpoint_id, {})
            for position, item in enumerate(encoded):
                index = write_index(item.channel, position)
                if index < 0:
                    slot[(task_id, index)] = item
                else:
                    slot.setdefault((task_id, index), item)

        return apply

    def delete_thread(self, thread_id: str) -> None:
        with self._mutex:
            self._threads.pop(str(thread_id), None)
            for key in [key for key in self._blobs if key[0] == str(thread_id)]:
                del self._blobs[key]
            self._deleted.add(str(thread_id))

    # -- lifecycle primitives (``checkpoint/_lifecycle.py``) ----------------------

    def _index(self, thread_ids: Sequence[str] | None) -> builtins.list[Entry]:
        with self._mutex:
            return _memory_rows.index(self._threads, self.serde, thread_ids)

    def _retain(self, thread_id: str, choose: Chooser) -> int:
        with self._mutex:  # one lock for the choice and the removal: one transaction
            keys = choose(_memory_rows.index(self._threads, self.serde, [thread_id]))
            return _memory_rows.remove(self._threads, self._blobs, thread_id, keys) if keys else 0

    def _copy(self, source_thread_id: str, target_thread_id: str) -> None:
        with self._mutex:
            if _memory_rows.copy(self._threads, self._blobs, source_thread_id, target_thread_id):
                self._deleted.discard(target_thread_id)

    # -- async: memory never blocks, so the twins call the sync methods directly
    # instead of hopping to a worker thread as the base class does.

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        return self.put_steps(steps)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)


MemorySaver = InMemorySaver
"""LangGraph's older name for :class:`InMemorySaver`."""


def _broken(key: _Key, checkpoint_id: str, problem: str) -> Exception:
    where = Where("memory blobs", key[0], key[1], checkpoint_id, channel=key[2])
    return where.error(f"version {key[3]} cannot be rebuilt: {problem}")


class _Missing:
    __slots__ = ()


_MISSING = _Missing()
