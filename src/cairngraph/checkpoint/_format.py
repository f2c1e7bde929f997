"""Storage format 2: what every durable saver stores, checks and reads, written once.

Three kinds of row, each one sealed payload (see ``serde/seal.py``: a
checksum, or AES-GCM) bound to its place:

- a *checkpoint* ``(thread, ns, checkpoint_id) → parent_id, body``: the
  record (format, ts, versions, versions seen, updated channels), the
  metadata, and a *ref* for every channel that has a value;
- a task's *writes* ``(thread, ns, checkpoint_id, task_id, slot) → body``:
  the task path and its ``(channel, index, ref)`` items. Slot 0 holds the
  task's normal writes (the first saved are kept), slots -1, -2, -3, -4 its
  error, interrupt, resume and state version (the newest replaces the older);
- a *value* ``address → base, body``: content-addressed, stored once per
  content however many checkpoints, writes and threads refer to it.

A ref is either ``[tag, payload]`` (a value whose encoding is at most
:data:`INLINE_MAX` bytes lives inline) or ``[address, depth, chain_bytes,
full_bytes]``. A list that only appended to its previous version is stored
as a *delta* value (its new items and its base's address); a chain of
deltas is at most :data:`MAX_DEPTH` long and its deltas add up to less
than its root, so reading one costs a bounded number of lookups.

Freeing (the lifecycle's prune and delete use it): each thread that refers
to a value has a row ``(address, thread_id)`` in the refs table, written
with the value. A value whose last ref row is gone is garbage. Deleting a
thread deletes its ref rows, then the values nothing refers to any more, in
the same transaction. Pruning part of a thread recomputes that thread's
ref set from the checkpoints and writes that remain (with every delta's
bases) and deletes the rest.

Invariants:

- What is read is what was written, or a :class:`CorruptDataError` /
  :class:`DecryptionError` naming the table and the place (thread,
  namespace, checkpoint, channel, task), each once. Raw decoding errors
  never escape.
- A channel value and a task write of the same object in one step are
  serialized once and stored once; an object inside several values of one
  save (a message in the state and in a ``Send``) is encoded once.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

import ormsgpack

from cairngraph.checkpoint._blobs import Blobs, Unfetched
from cairngraph.checkpoint._config import (
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.checkpoint._where import Where, failed, row_place
from cairngraph.checkpoint.base import (
    ERROR,
    FORMAT_VERSION,
    INTERRUPT,
    RESUME,
    STATE_VERSION_WRITE,
    CheckpointMetadata,
    RunnableConfig,
    StepSave,
    write_index,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol, TypedPayload, shared_dumps
from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer
from cairngraph.checkpoint.serde.seal import Seal, seal_of
from cairngraph.errors import CorruptDataError, DecryptionError, SerializationError

__all__ = [
    "encode_steps",
    "CHECKPOINTS",
    "INLINE_MAX",
    "Known",
    "MAX_DEPTH",
    "REFS",
    "VALUES",
    "WRITES",
    "CheckpointRow",
    "Format",
    "Record",
    "StepRows",
    "ValueLoader",
    "ValueRow",
    "WriteRow",
    "Where",
    "slot_of",
]

CHECKPOINTS, WRITES, VALUES, REFS = (
    "cairn_checkpoints",
    "cairn_writes",
    "cairn_values",
    "cairn_refs",
)
"""The table names, the same on every backend."""

INLINE_MAX = 256
"""Largest encoded value kept inline in its checkpoint or write row."""
MAX_DEPTH = 1024
"""Longest chain of deltas before a list is stored whole again (backends fetch a
chain in one recursive query; its deltas add up to less than its root)."""

_SLOTS = {ERROR: -1, INTERRUPT: -2, RESUME: -3, STATE_VERSION_WRITE: -4}

Ref = Any
"""How a record names a value: raw msgpack ``bytes``, ``[tag, payload]`` inline, or
``[address, depth, chain_bytes, full_bytes]`` stored apart."""


def slot_of(channel: str) -> int:
    """The writes row a write to ``channel`` goes in: 0, or the special channel's own."""
    return _SLOTS.get(channel, 0)


# -- where a payload lives, and the errors that say so ------------------------------


def encode_steps(
    fmt: Format, steps: Sequence[StepSave], known: Callable[[tuple[str, str, str]], Known | None]
) -> Generator[tuple[str, str, str], Known | None, StepRows]:
    """Consecutive steps as the rows of one transaction, written once for every backend.

    A parent's refs come from the steps before it in ``steps``, then from
    ``known`` (the saver's cache); failing both, the generator yields the
    parent's key and the backend sends back its :class:`Known` (or None), read
    from its store however it reads.
    """
    rows = StepRows()
    encoded: dict[int, tuple[Any, str, bytes]] = {}
    # One save: an object several values share (a message in the state and in the
    # Sends of a step's tool calls) is encoded once.
    dumps = shared_dumps(fmt.codec)
    for step in steps:
        thread_id, ns = config_thread_id(step.config), config_namespace(step.config)
        parent_id = config_checkpoint_id(step.config)
        parent = None
        if parent_id is not None:
            key = (thread_id, ns, parent_id)
            parent = rows.learned.get(key) or known(key)
            if parent is None:
                parent = yield key
        fmt.encode_step(rows, step, thread_id, ns, parent_id, parent, encoded, dumps)
    return rows


def checkpoint_where(row: CheckpointRow) -> Where:
    """The place of a checkpoint row; its parent link is part of it, so it cannot change."""
    return Where(
        CHECKPOINTS, row.thread_id, row.checkpoint_ns, row.checkpoint_id, parent_id=row.parent_id
    )


class Known(NamedTuple):
    """A saved checkpoint's versions and refs: what a child step reuses for unchanged channels."""

    versions: Mapping[str, int]
    refs: Mapping[str, Ref]


_NO_PARENT = Known({}, {})
"""The versions and refs before a thread's first checkpoint (shared: never changed)."""


class CheckpointRow(NamedTuple):
    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str
    parent_id: str | None
    body: bytes


class WriteRow(NamedTuple):
    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str
    task_id: str
    slot: int
    body: bytes


class ValueRow(NamedTuple):
    address: bytes
    base: bytes | None
    body: bytes


@dataclass(slots=True)
class Record:
    """A checkpoint row, opened: everything but the values its refs point to."""

    v: int
    ts: str
    versions: dict[str, int]
    seen: dict[str, dict[str, int]]
    updated: list[str]
    meta: list[Any]
    """The metadata as the codec encoded it, ``[tag, payload]``: decoded with the
    page's values (:func:`~cairngraph.checkpoint._read.tuples`), or alone by
    :meth:`Format.metadata` when a filter needs it first."""
    refs: dict[str, Ref]
    metadata: CheckpointMetadata | None = None


@dataclass(slots=True)
class StepRows:
    """What one transaction stores: values, ref rows, writes rows, checkpoint rows."""

    values: dict[bytes, ValueRow] = field(default_factory=dict)
    refs: set[tuple[bytes, str]] = field(default_factory=set)
    writes: list[tuple[WriteRow, list[list[Any]], str]] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)
    made: builtins.list[RunnableConfig] = field(default_factory=list)
    learned: dict[tuple[str, str, str], Known] = field(default_factory=dict)
    """The refs of each checkpoint saved here, for the saver's cache once committed."""


def _unpack(data: bytes) -> Any:
    return ormsgpack.unpackb(data)


class Format:
    """Encodes and decodes format-2 rows with one saver's serializer.

    The serializer's *codec* turns values into ``(tag, bytes)``; its *seal*
    (an EncryptedSerializer, else checksums) guards each payload.
    """

    def __init__(self, serde: SerializerProtocol, blobs: Blobs | None = None) -> None:
        self.seal: Seal = seal_of(serde)
        self.blobs = blobs if blobs is not None else Blobs()
        """Where bodies over the threshold go (``_blobs.py``); none by default."""
        inner = getattr(serde, "inner", None) if self.seal.encrypts else None
        self.codec: SerializerProtocol = inner if inner is not None else serde
        # Our msgpack codec's payloads nest in msgpack: small values are stored as
        # such *raw* bytes and decoded together, one codec call per checkpoint.
        self.embeds = isinstance(self.codec, MsgpackSerializer)

    # -- encoding ------------------------------------------------------------------

    def encode_step(
        self,
        rows: StepRows,
        step: StepSave,
        thread_id: str,
        ns: str,
        parent_id: str | None,
        parent: Known | None,
        encoded: dict[int, tuple[Any, str, bytes]],
        dumps: Callable[[Any], TypedPayload] | None = None,
    ) -> None:
        """Add one step (its last writes and its checkpoint) to ``rows``.

        ``parent`` holds the versions and refs of the parent checkpoint, reused for every
        channel whose version did not change; ``encoded`` (id → object, tag,
        bytes) makes each object serialized once per transaction.
        """
        if parent_id is not None:
            for item in step.task_writes:
                self.encode_writes(
                    rows, thread_id, ns, parent_id, item.task_id, item.task_path, item.writes,
                    encoded, dumps,
                )  # fmt: skip
        checkpoint = step.checkpoint
        values = checkpoint.channel_values
        new_versions = step.new_versions
        appends = checkpoint.channel_appends
        known_versions, known_refs = parent if parent is not None else _NO_PARENT
        add_ref = rows.refs.add
        refs: dict[str, Ref] = {}
        for channel, version in checkpoint.channel_versions.items():
            if channel not in new_versions and known_versions.get(channel) == version:
                ref = known_refs.get(channel)
                if ref is not None:
                    refs[channel] = ref
                    if type(ref) is list and len(ref) == 4:
                        add_ref((ref[0], thread_id))
                    continue
            if channel not in values:
                continue
            base = None
            append = appends.get(channel)
            if append is not None and known_versions.get(channel) == append[0]:
                base = known_refs.get(channel)
            refs[channel] = self._ref(
                rows, thread_id, values[channel], append, base, encoded, dumps
            )
        meta_tag, meta = (dumps or self.codec.dumps_typed)(dict(step.metadata))
        versions = dict(checkpoint.channel_versions)  # the record's, and the cache's: never changed
        record = [
            checkpoint.v,
            checkpoint.ts,
            versions,
            {node: dict(seen) for node, seen in checkpoint.versions_seen.items()},
            list(checkpoint.updated_channels),
            [meta_tag, meta],
            refs,
        ]
        checkpoint_id = checkpoint.id
        place = row_place(CHECKPOINTS, thread_id, ns, checkpoint_id, None, None, parent_id)
        body = self.seal.seal(ormsgpack.packb(record), place)
        rows.checkpoints.append(CheckpointRow(thread_id, ns, checkpoint_id, parent_id, body))
        rows.made.append(checkpoint_config(thread_id, ns, checkpoint_id))
        rows.learned[(thread_id, ns, checkpoint_id)] = Known(versions, refs)

    def encode_writes(
        self,
        rows: StepRows,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        task_id: str,
        task_path: str,
        writes: Sequence[tuple[str, Any]],
        encoded: dict[int, tuple[Any, str, bytes]],
        dumps: Callable[[Any], TypedPayload] | None = None,
    ) -> None:
        """Add one task's writes to ``rows``: one row per slot it uses."""
        slots: dict[int, list[list[Any]]] = {}
        for position, (channel, value) in enumerate(writes):
            ref = self._ref(rows, thread_id, value, None, None, encoded, dumps)
            # A special channel's slot is its write_index; the others go in slot 0.
            slot = _SLOTS.get(channel)
            if slot is None:
                item, slot = [channel, position, ref], 0
            else:
                item = [channel, slot, ref]
            if slot in slots:
                slots[slot].append(item)
            else:
                slots[slot] = [item]
        for slot, items in sorted(slots.items()):
            row = self.writes_row(thread_id, ns, checkpoint_id, task_id, slot, task_path, items)
            rows.writes.append((row, items, task_path))

    def writes_row(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        task_id: str,
        slot: int,
        task_path: str,
        items: list[list[Any]],
    ) -> WriteRow:
        place = row_place(WRITES, thread_id, ns, checkpoint_id, task_id, slot, None)
        body = self.seal.seal(ormsgpack.packb([task_path, items]), place)
        return WriteRow(thread_id, ns, checkpoint_id, task_id, slot, body)

    def _ref(
        self,
        rows: StepRows,
        thread_id: str,
        value: Any,
        append: tuple[int, int] | None,
        base: list[Any] | None,
        encoded: dict[int, tuple[Any, str, bytes]],
        dumps: Callable[[Any], TypedPayload] | None = None,
    ) -> Ref:
        dumps = dumps or self.codec.dumps_typed
        if (
            append is not None
            and type(base) is list
            and len(base) == 4
            and isinstance(value, list)
            and base[1] + 1 < MAX_DEPTH
        ):
            _kept_base, kept = append
            tag, payload = dumps(value[kept:])
            chain = base[2] + len(payload)
            if chain < max(base[3], 4096):
                content = ormsgpack.packb([tag, payload, base[0], kept])
                return self._stored(
                    rows, thread_id, content, base[0], [base[1] + 1, chain, base[3]]
                )
        hit = encoded.get(id(value))
        if hit is not None and hit[0] is value:
            tag, payload = hit[1], hit[2]
        else:
            tag, payload = dumps(value)
            encoded[id(value)] = (value, tag, payload)
        if len(payload) <= INLINE_MAX:
            if self.embeds:
                if tag == "msgpack":  # the common case, without a call
                    return payload
                raw = _raw(tag, payload)
                if raw is not None:
                    return raw
            return [tag, payload]
        content = ormsgpack.packb([tag, payload, None, None])
        return self._stored(rows, thread_id, content, None, [0, 0, len(payload)])

    def _stored(
        self,
        rows: StepRows,
        thread_id: str,
        content: bytes,
        base: bytes | None,
        sizes: list[int],
    ) -> list[Any]:
        address = self.seal.address(content)
        if address not in rows.values:
            body = self.seal.seal(content, Where(VALUES, address=address).place())
            rows.values[address] = ValueRow(address, base, body)
        rows.refs.add((address, thread_id))
        return [address, *sizes]

    # -- opening -------------------------------------------------------------------

    def _content(self, where: Where, body: bytes) -> bytes:
        try:
            return self.seal.open(bytes(body), where.place())
        except SerializationError as error:
            raise where.wrap(error) from None

    def _open(self, where: Where, body: bytes, content: bytes | None = None) -> Any:
        if content is None:
            content = self._content(where, body)
        try:
            return _unpack(content)
        except (ValueError, TypeError) as error:
            raise where.error(f"the payload does not decode ({error})") from None

    def open_checkpoint(self, row: CheckpointRow) -> Record:
        """The record of a checkpoint row, checked against its seal and place.

        The hot path of every read: no :class:`Where` is made unless something
        is wrong, and the metadata stays encoded until it is needed. A payload
        that passes its seal was written by a saver, so the shape checks here
        are few and cheap (they guard against a forger who recomputed a plain
        checksum).
        """
        thread_id, ns, checkpoint_id, parent_id, body = row
        place = row_place(CHECKPOINTS, thread_id, ns, checkpoint_id, None, None, parent_id)
        try:
            content = self.seal.open(body if type(body) is bytes else bytes(body), place)
            v, ts, versions, seen, updated, meta, refs = ormsgpack.unpackb(content)
        except SerializationError as error:
            raise checkpoint_where(row).wrap(error) from None
        except (ValueError, TypeError) as error:
            raise checkpoint_where(row).error(f"the payload does not decode ({error})") from None
        if not (
            type(versions) is dict
            and type(seen) is dict
            and type(refs) is dict
            and type(updated) is list
            and type(meta) is list
            and len(meta) == 2
            and type(meta[0]) is str
            and type(meta[1]) is bytes
            and type(ts) is str
            and type(v) is int
        ):
            raise checkpoint_where(row).error("the checkpoint record has the wrong shape")
        return Record(v, ts, versions, seen, updated, meta, refs)

    def metadata(self, row: CheckpointRow, record: Record) -> CheckpointMetadata:
        """The metadata of an opened row, decoded once (and kept in ``record``)."""
        if record.metadata is None:
            try:
                metadata = self.codec.loads_typed((record.meta[0], record.meta[1]))
            except SerializationError as error:
                raise checkpoint_where(row).wrap(error) from None
            self.set_metadata(row, record, metadata)
        return cast(CheckpointMetadata, record.metadata)

    def set_metadata(self, row: CheckpointRow, record: Record, metadata: Any) -> None:
        """Keep ``metadata`` decoded from ``record.meta``, once its shape is checked."""
        if type(metadata) is not dict:
            raise checkpoint_where(row).error("the checkpoint's metadata is not a mapping")
        record.metadata = cast(CheckpointMetadata, metadata)

    def open_writes(self, row: WriteRow) -> tuple[str, list[list[Any]]]:
        """``(task_path, items)`` of a writes row, checked against its seal and place."""
        thread_id, ns, checkpoint_id, task_id, slot, body = row
        place = row_place(WRITES, thread_id, ns, checkpoint_id, task_id, slot, None)
        try:
            content = self.seal.open(body if type(body) is bytes else bytes(body), place)
            task_path, items = ormsgpack.unpackb(content)
            ok = type(task_path) is str and type(items) is list
            for item in items:
                channel, index, ref = item
                ok = ok and type(channel) is str and type(index) is int
                ok = ok and (type(ref) is list or type(ref) is bytes)
        except SerializationError as error:
            raise writes_where(row).wrap(error) from None
        except (ValueError, TypeError) as error:
            raise writes_where(row).error(f"the payload does not decode ({error})") from None
        if not ok:
            raise writes_where(row).error("the writes record has the wrong shape")
        return task_path, items

    def open_value(self, row: ValueRow) -> tuple[str, bytes, bytes | None, int | None]:
        """``(tag, payload, base, kept)`` of a value row, checked against its address."""
        where = Where(VALUES, address=bytes(row.address))
        content = self._content(where, row.body)
        if not self.seal.encrypts and self.seal.address(content) != where.address:
            raise where.error("the value does not match its address")
        data = self._open(where, row.body, content)
        try:
            tag, payload, base, kept = data
            ok = (
                isinstance(tag, str)
                and isinstance(payload, bytes)
                and (base is None) == (kept is None)
                and (base is None or (isinstance(base, bytes) and isinstance(kept, int)))
            )
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise where.error("the value record has the wrong shape")
        if (None if row.base is None else bytes(row.base)) != base:
            raise where.error("the value's base column disagrees with its sealed base")
        return tag, payload, base, kept

    # -- resealing: every payload again, with this format's seal -----------------

    def reseal_values(self, rows: Iterable[ValueRow]) -> tuple[list[ValueRow], dict[bytes, bytes]]:
        """Value rows sealed anew, and old address → new (bases before their deltas)."""
        pending = {bytes(row.address): self.open_value(row) for row in rows}
        moved: dict[bytes, bytes] = {}
        made: list[ValueRow] = []
        while pending:
            ready = [
                address
                for address, (_t, _p, base, _k) in pending.items()
                if base is None or base in moved
            ]
            if not ready:
                address = next(iter(pending))
                raise Where(VALUES, address=address).error("its delta base is missing")
            for address in ready:
                tag, payload, base, kept = pending.pop(address)
                new_base = None if base is None else moved[base]
                content = ormsgpack.packb([tag, payload, new_base, kept])
                new_address = self.seal.address(content)
                body = self.seal.seal(content, Where(VALUES, address=new_address).place())
                moved[address] = new_address
                made.append(ValueRow(new_address, new_base, body))
        return made, moved

    def reseal_checkpoint(self, row: CheckpointRow, moved: Mapping[bytes, bytes]) -> bytes:
        self.open_checkpoint(row)  # checked whole before anything is rewritten
        where = checkpoint_where(row)
        data = self._open(where, row.body)
        data[6] = {channel: _moved(ref, moved) for channel, ref in data[6].items()}
        return self.seal.seal(ormsgpack.packb(data), where.place())

    def reseal_writes(self, row: WriteRow, moved: Mapping[bytes, bytes]) -> bytes:
        task_path, items = self.open_writes(row)
        items = [[channel, index, _moved(ref, moved)] for channel, index, ref in items]
        where = Where(
            WRITES, row.thread_id, row.checkpoint_ns, row.checkpoint_id, row.task_id, row.slot
        )
        return self.seal.seal(ormsgpack.packb([task_path, items]), where.place())

    def _decode(self, where: Where, inline: list[Any]) -> Any:
        try:
            return self.codec.loads_typed((inline[0], inline[1]))
        except SerializationError as error:
            raise where.wrap(error) from None
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise where.error(f"the value does not decode ({error})") from None

    def decode_raws(self, raws: list[bytes]) -> list[Any]:
        """Values stored raw, decoded in one codec call (a msgpack array of them)."""
        return _as_list(
            self.codec.loads_typed(("msgpack", _array_header(len(raws)) + b"".join(raws)))
        )

    def decode_ref(self, where: Where, ref: Any, loader: ValueLoader) -> Any:
        """The value a ref names: raw, inline, or from the values ``loader`` fetched."""
        try:
            if type(ref) is bytes:
                return self.decode_raws([ref])[0]
            if len(ref) == 2:
                return self.codec.loads_typed((ref[0], ref[1]))
        except (CorruptDataError, DecryptionError):
            raise
        except (SerializationError, ValueError, TypeError, KeyError, IndexError) as error:
            raise failed(where, error) from None
        return loader.build(self, where, bytes(ref[0]))


def writes_where(row: WriteRow) -> Where:
    """The place of a writes row."""
    return Where(WRITES, row.thread_id, row.checkpoint_ns, row.checkpoint_id, row.task_id, row.slot)


def _raw(tag: str, payload: bytes) -> bytes | None:
    """A codec payload as msgpack that nests in a record, or None when it cannot."""
    if tag == "msgpack":
        return payload
    if tag == "null":
        return b"\xc0"
    if tag == "bytes":
        return ormsgpack.packb(payload)
    return None


def _array_header(count: int) -> bytes:
    if count < 16:
        return bytes((0x90 | count,))
    if count < 0x10000:
        return b"\xdc" + count.to_bytes(2, "big")
    return b"\xdd" + count.to_bytes(4, "big")


def _as_list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise CorruptDataError("raw values do not decode as a list")
    return value


def _moved(ref: Any, moved: Mapping[bytes, bytes]) -> Any:
    if type(ref) is bytes or len(ref) == 2:
        return ref
    return [moved.get(bytes(ref[0]), bytes(ref[0])), *ref[1:]]


def merge_writes(kept: list[list[Any]], new: list[list[Any]]) -> list[list[Any]]:
    """Normal writes saved again: the first saved at each index are kept, new indexes added."""
    have = {item[1] for item in kept}
    return kept + [item for item in new if item[1] not in have]


def stored_addresses(refs: Iterable[list[Any]]) -> Iterator[bytes]:
    """The value addresses among ``refs``."""
    for ref in refs:
        if type(ref) is list and len(ref) == 4:
            yield bytes(ref[0])


class ValueLoader:
    """The content-addressed values some rows refer to, fetched in rounds and checked.

    A backend asks :meth:`wanted` for the addresses still to fetch, gives the
    rows it found to :meth:`add`, and repeats until nothing is wanted (a
    delta's base is wanted once the delta is known).
    """

    __slots__ = ("_asked", "_fmt", "_opened", "_wanted")

    def __init__(self, fmt: Format) -> None:
        self._fmt = fmt
        self._opened: dict[
            bytes, tuple[str, bytes, bytes | None, int | None] | Exception | Unfetched
        ] = {}
        self._asked: set[bytes] = set()
        self._wanted: set[bytes] = set()

    def need(self, refs: Iterable[list[Any]]) -> None:
        for address in stored_addresses(refs):
            if address not in self._asked:
                self._wanted.add(address)

    def wanted(self) -> builtins.list[bytes]:
        if not self._wanted:
            return []
        found = sorted(address for address in self._wanted if address not in self._opened)
        self._asked.update(found)
        self._wanted.clear()
        return found

    def add(
        self, rows: Iterable[ValueRow], unfetched: Mapping[bytes, Unfetched] | None = None
    ) -> None:
        """Rows found (their blobs fetched: ``Blobs.resolve``), and the values whose blob
        could not be (address → what is wrong)."""
        if unfetched:
            self._opened.update(unfetched)
        for row in rows:
            address = bytes(row.address)
            try:
                opened = self._fmt.open_value(row)
            except (CorruptDataError, DecryptionError) as error:
                self._opened[address] = error
                continue
            self._opened[address] = opened
            base = opened[2]
            if base is not None and base not in self._asked and base not in self._opened:
                self._wanted.add(base)

    def build(self, fmt: Format, where: Where, address: bytes) -> Any:
        """The whole value at ``address`` (a delta rebuilt on its bases)."""
        path = []
        current: bytes | None = address
        while current is not None:
            opened = self._opened.get(current)
            if opened is None:
                raise where.error(f"its value {current.hex()} is missing from {VALUES}")
            if isinstance(opened, Exception):
                raise opened
            if isinstance(opened, Unfetched):
                raise where.error(f"its value {current.hex()} {opened.problem}", opened.kind)
            path.append(opened)
            current = opened[2]
            if len(path) > MAX_DEPTH + 1:
                raise where.error("its value's delta chain loops")
        path.reverse()
        value: Any = None
        for (_tag, _payload, base, kept), decoded in zip(
            path, _decoded(fmt, where, path), strict=True
        ):
            if base is None:
                value = decoded
            elif not isinstance(value, list) or not isinstance(decoded, list):
                raise where.error("a delta's base is not a list")
            else:  # in place: the list was decoded for this read alone
                del value[kept:]
                value.extend(decoded)
        return value


def _decoded(
    fmt: Format, where: Where, path: list[tuple[str, bytes, bytes | None, int | None]]
) -> list[Any]:
    """The payloads of a delta chain, decoded; with our msgpack codec in one call (a
    chain of 30 deltas costs one decoder, not 30), each apart when that call fails, so
    the error names what does not decode."""
    if len(path) > 1 and fmt.embeds and all(item[0] == "msgpack" for item in path):
        try:
            decoded = fmt.decode_raws([item[1] for item in path])
        except SerializationError:
            pass
        else:
            if len(decoded) == len(path):
                return decoded
    return [fmt._decode(where, [tag, payload]) for tag, payload, _base, _kept in path]


FORMAT = 2
"""The storage format these rows are in (the saver's schema migration records it)."""
assert FORMAT_VERSION >= 1
assert all(write_index(channel, 0) == slot for channel, slot in _SLOTS.items())
