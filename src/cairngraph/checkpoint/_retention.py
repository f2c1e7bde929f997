"""Retention decided once: what a prune, a policy or a run deletion removes, and which saves
a deletion refuses. Pure functions of a thread's checkpoint index and a clock; no I/O.

Every saver lists a thread's checkpoints as :class:`Entry` values (no channel
values are read), hands them to a chooser here, and deletes the keys it returns
(``saver._retain``), recomputing which stored values the thread still refers to.

Invariants:

- ``keep_latest``, ``keep_last`` and ``max_age`` never choose the newest
  checkpoint of a namespace: a thread they prune still resumes where it was.
  Only a thread's TTL, ``strategy="delete"`` and ``delete_for_runs`` remove
  every checkpoint of a namespace.
- Tombstones (:func:`admission`): after ``delete_thread``, a save that
  *continues* the deleted history (a step with a parent checkpoint, a step of
  a subgraph namespace, a task's writes) is refused with
  :class:`~cairngraph.errors.ThreadDeletedError`; a save that *starts* a
  history afresh (a root-namespace checkpoint with no parent: what a new run
  with input on an empty thread writes first) lifts the tombstone, so a
  thread id can be used again on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cairngraph.checkpoint._config import config_checkpoint_id, config_namespace, config_thread_id
from cairngraph.errors import InvalidConfigError, ThreadDeletedError

if TYPE_CHECKING:
    from cairngraph.checkpoint._format import CheckpointRow, Format, WriteRow
    from cairngraph.checkpoint.base import StepSave

__all__ = [
    "Admission",
    "Entry",
    "entries_of",
    "Key",
    "RetentionPolicy",
    "Stamp",
    "SweepReport",
    "admission",
    "by_thread",
    "chosen",
    "closed",
    "deleted",
    "keep_last",
    "keep_latest",
    "named_addresses",
    "of_runs",
    "now_utc",
    "older_than",
]

Key = tuple[str, str]
"""``(checkpoint_ns, checkpoint_id)`` of a checkpoint within its thread."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """When a checkpoint was saved, and by which run (its metadata ``run_id``)."""

    ts: str
    run_id: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One saved checkpoint as retention sees it: where it is, when, and by which run.

    ``stamp`` is the :class:`Stamp`, or how to read it from the stored row: then
    the row is opened when ``ts`` or ``run_id`` is first asked for, so a prune by
    count never opens the records it deletes.
    """

    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str
    stamp: Stamp | Callable[[], Stamp] = field(compare=False, repr=False)

    @property
    def key(self) -> Key:
        return (self.checkpoint_ns, self.checkpoint_id)

    @property
    def ts(self) -> str:
        return self._stamped().ts

    @property
    def run_id(self) -> str | None:
        return self._stamped().run_id

    def _stamped(self) -> Stamp:
        if isinstance(self.stamp, Stamp):
            return self.stamp
        stamp = self.stamp()
        object.__setattr__(self, "stamp", stamp)  # read once, then kept (frozen otherwise)
        return stamp


def by_thread(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    """Entries grouped by thread id, in the order given."""
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.thread_id, []).append(entry)
    return grouped


def _newest_first(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    spaces: dict[str, list[Entry]] = {}
    for entry in entries:
        spaces.setdefault(entry.checkpoint_ns, []).append(entry)
    for found in spaces.values():
        found.sort(key=lambda entry: entry.checkpoint_id, reverse=True)
    return spaces


def keep_last(entries: Iterable[Entry], count: int) -> set[Key]:
    """The keys beyond the newest ``count`` of each namespace (``count`` ≥ 1)."""
    if count < 1:
        raise InvalidConfigError(
            f"keep_last={count}: keep at least 1 checkpoint per namespace (to remove a whole "
            "thread, use delete_thread or a ttl)"
        )
    return {entry.key for found in _newest_first(entries).values() for entry in found[count:]}


def keep_latest(entries: Iterable[Entry]) -> set[Key]:
    """Every key but the newest of each namespace (LangGraph's ``strategy="keep_latest"``)."""
    return keep_last(entries, 1)


def older_than(entries: Iterable[Entry], cutoff: datetime) -> set[Key]:
    """The keys saved before ``cutoff``, the newest of each namespace always excepted."""
    return {
        entry.key
        for found in _newest_first(entries).values()
        for entry in found[1:]
        if _when(entry) < cutoff
    }


def of_runs(entries: Iterable[Entry], run_ids: Iterable[str]) -> set[Key]:
    """The keys whose metadata ``run_id`` is one of ``run_ids``."""
    wanted = {str(run_id) for run_id in run_ids}
    return {entry.key for entry in entries if entry.run_id is not None and entry.run_id in wanted}


def _when(entry: Entry) -> datetime:
    try:
        moment = datetime.fromisoformat(entry.ts)
    except ValueError:
        raise InvalidConfigError(
            f"checkpoint {entry.checkpoint_id!r} of thread {entry.thread_id!r} has the "
            f"timestamp {entry.ts!r}, which is not ISO 8601, so its age is unknown; "
            "prune it by count (keep_last) instead of by age"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPolicy:
    """How much history a sweep keeps (``saver.sweep(policy)``); every rule is optional.

    ``keep_last``: the newest N checkpoints of each namespace of a thread stay.
    ``max_age``: checkpoints older than this go (the newest of each namespace stays).
    ``ttl``: a thread whose newest checkpoint is older than this is deleted whole.
    Every save writes a new checkpoint, so a thread in use keeps renewing its TTL;
    reading does not renew it (reads never write).

    Example::

        policy = RetentionPolicy(keep_last=20, ttl=timedelta(days=30))
        report = saver.sweep(policy)
    """

    keep_last: int | None = None
    max_age: timedelta | None = None
    ttl: timedelta | None = None

    def __post_init__(self) -> None:
        if self.keep_last is None and self.max_age is None and self.ttl is None:
            raise InvalidConfigError(
                "RetentionPolicy() has no rule: give keep_last=, max_age= or ttl="
            )
        if self.keep_last is not None and self.keep_last < 1:
            raise InvalidConfigError(f"RetentionPolicy(keep_last={self.keep_last}): use 1 or more")
        for name in ("max_age", "ttl"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise InvalidConfigError(
                    f"RetentionPolicy({name}={value}): use a positive duration"
                )

    def expired(self, entries: Sequence[Entry], now: datetime) -> bool:
        """Whether the TTL has run out for the thread of ``entries``."""
        if self.ttl is None or not entries:
            return False
        return max(_when(entry) for entry in entries) < now - self.ttl

    def doomed(self, entries: Sequence[Entry], now: datetime) -> set[Key]:
        """The keys of one thread this policy removes (a TTL aside)."""
        keys: set[Key] = set()
        if self.keep_last is not None:
            keys |= keep_last(entries, self.keep_last)
        if self.max_age is not None:
            keys |= older_than(entries, now - self.max_age)
        return keys


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep did: threads deleted whole (TTL), checkpoints removed, threads skipped.

    A thread a run held for longer than the sweep's ``wait`` is skipped and named in
    ``busy``; the next sweep takes it.
    """

    threads_deleted: int = 0
    checkpoints_deleted: int = 0
    busy: tuple[str, ...] = ()
    blobs_deleted: int = 0
    """Blobs no value row named (left by a crashed save), older than ``BLOB_GRACE``."""


@dataclass(frozen=True, slots=True)
class Admission:
    """What a save must check against tombstones: the threads it continues, and lifts."""

    checked: frozenset[str]
    lifted: frozenset[str]


_NONE: frozenset[str] = frozenset()


def admission(steps: Sequence[StepSave]) -> Admission:
    """Which threads of ``steps`` continue a history (checked) or start one (lifted).

    The first step of a thread in the batch decides: a root-namespace checkpoint
    with no parent starts a history; anything else continues one.
    """
    if len(steps) == 1:  # a step saved alone (durability="sync"): the common case
        config = steps[0].config
        alone = frozenset((config_thread_id(config),))
        fresh = config_checkpoint_id(config) is None and config_namespace(config) == ""
        return Admission(_NONE, alone) if fresh else Admission(alone, _NONE)
    checked: set[str] = set()
    lifted: set[str] = set()
    for step in steps:
        thread_id = config_thread_id(step.config)
        if thread_id in checked or thread_id in lifted:
            continue
        fresh = config_checkpoint_id(step.config) is None and config_namespace(step.config) == ""
        (lifted if fresh else checked).add(thread_id)
    return Admission(frozenset(checked), frozenset(lifted))


def deleted(thread_id: str, action: str = "save a step") -> ThreadDeletedError:
    """The error for a save that continues a thread deleted since the run read it."""
    return ThreadDeletedError(
        f"cannot {action} on thread {thread_id!r}: the thread was deleted (delete_thread) "
        "after this run read it, and saving would bring part of it back. Nothing was saved. "
        "To use the thread id again, start a new run on it with input "
        "(invoke(input, config)); to keep the old history, copy_thread it before deleting."
    )


def now_utc(now: datetime | None) -> datetime:
    """``now`` as an aware datetime (the current time when None)."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def entries_of(fmt: Format, rows: Sequence[CheckpointRow]) -> list[Entry]:
    """The :class:`Entry` of each checkpoint row; its record is opened (for its time and run
    id) only if a chooser asks for them."""
    return [
        Entry(row.thread_id, row.checkpoint_ns, row.checkpoint_id, _reader(fmt, row))
        for row in rows
    ]


def _reader(fmt: Format, row: CheckpointRow) -> Callable[[], Stamp]:
    def read() -> Stamp:
        record = fmt.open_checkpoint(row)
        run_id = fmt.metadata(row, record).get("run_id")
        return Stamp(record.ts, None if run_id is None else str(run_id))

    return read


def chosen(
    fmt: Format,
    rows: Sequence[CheckpointRow],
    choose: Callable[[list[Entry]], Collection[Key]],
) -> dict[str, set[Key]]:
    """The keys ``choose`` picks among each thread's ``rows``, by thread (threads with none
    left out); only keys of rows given are kept."""
    grouped: dict[str, list[CheckpointRow]] = {}
    for row in rows:
        grouped.setdefault(row.thread_id, []).append(row)
    picked: dict[str, set[Key]] = {}
    for thread_id, found in grouped.items():
        present = {(row.checkpoint_ns, row.checkpoint_id) for row in found}
        keys = set(choose(entries_of(fmt, found))) & present
        if keys:
            picked[thread_id] = keys
    return picked


def named_addresses(
    fmt: Format,
    checkpoints: Iterable[CheckpointRow],
    writes: Iterable[WriteRow],
    threads: Iterable[str],
) -> dict[str, set[bytes]]:
    """The value addresses each of ``threads`` names by its ``checkpoints`` and ``writes``
    (delta bases not included; a thread with no row names nothing)."""
    # Imported here: _rehome reads _format, which imports the saver base, which imports this.
    from cairngraph.checkpoint._rehome import live_addresses

    rows: dict[str, tuple[list[CheckpointRow], list[WriteRow]]] = {t: ([], []) for t in threads}
    for checkpoint in checkpoints:
        rows[checkpoint.thread_id][0].append(checkpoint)
    for write in writes:
        rows[write.thread_id][1].append(write)
    return {t: live_addresses(fmt, found, written) for t, (found, written) in rows.items()}


def closed(addresses: Iterable[bytes], bases: Mapping[bytes, bytes]) -> set[bytes]:
    """``addresses`` and every delta base below them (``bases``: a delta's address → its base)."""
    found: set[bytes] = set()
    pending = list(addresses)
    while pending:
        address = pending.pop()
        if address in found:
            continue
        found.add(address)
        base = bases.get(address)
        if base is not None:
            pending.append(base)
    return found
