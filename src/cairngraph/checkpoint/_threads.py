"""``threads()`` of the savers that store format-2 rows, written once for every backend.

Both durable backends keep a summary table, ``cairn_threads`` (thread id →
its latest root checkpoint id), maintained by triggers in the transaction of
every insert and delete of a checkpoint row (SQLite migrations 5 and 6,
PostgreSQL migration 4). Its index on ``(checkpoint_id, thread_id)`` (SQLite:
its primary key) orders threads by their last update, so a page of threads is
an index range, whatever the number of checkpoints in the store.

:func:`walk` is the listing as a generator of :class:`Batch` requests: a
backend answers each with the latest rows of the next threads, newest first
(its own SQL, sync or async); the walk opens them in that order, keeps those
whose metadata matches the filter, and stops at the limit. Without a filter
one batch of ``limit`` rows is read; with one, batches of :data:`BATCH`
follow each other by key (not by offset), so rows past the limit are never
read and a thread moved meanwhile is listed at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint._config import metadata_matches
from cairngraph.checkpoint._format import CheckpointRow, Format, Record
from cairngraph.checkpoint.base import CheckpointMetadata, ThreadInfo

__all__ = ["BATCH", "Batch", "Walk", "drive", "opener", "page_clauses", "walk"]

BATCH = 256
"""Rows one request reads when a filter decides in Python which threads are kept."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """Read the latest root rows of up to ``count`` threads, newest first.

    Below the thread ``before`` (its summary row's key; none at all when it is
    unknown) for the first batch, below the key ``after`` (checkpoint id,
    thread id) for the next ones, or from the top when both are None.
    """

    search: str | None
    before: str | None
    after: tuple[str, str] | None
    count: int


Walk = Generator[Batch, Sequence[CheckpointRow], list[ThreadInfo]]


def walk(
    open_record: Callable[[CheckpointRow], tuple[Record, CheckpointMetadata]],
    *,
    search: str | None,
    filter: Mapping[str, Any] | None,
    before: str | None,
    limit: int | None,
) -> Walk:
    """The threads matching, newest first, up to ``limit`` (see the module docstring).

    ``open_record`` opens a row and decodes its metadata (:func:`opener` makes one).
    """
    found: list[ThreadInfo] = []
    seen: set[str] = set()
    after: tuple[str, str] | None = None
    while limit is None or len(found) < limit:
        count = BATCH if limit is None else limit - len(found)
        if filter:
            count = max(count, BATCH)
        rows = yield Batch(
            search=search, before=before if after is None else None, after=after, count=count
        )
        for row in rows:
            if row.thread_id in seen:  # its latest row was deleted meanwhile: moved down
                continue
            seen.add(row.thread_id)
            record, metadata = open_record(row)
            if metadata_matches(metadata, filter):
                found.append(
                    ThreadInfo(
                        thread_id=row.thread_id,
                        checkpoint_id=row.checkpoint_id,
                        ts=record.ts,
                        metadata=metadata,
                    )
                )
                if limit is not None and len(found) >= limit:
                    break
        if len(rows) < count:
            break
        after = (rows[-1].checkpoint_id, rows[-1].thread_id)
    return found


_SUMMARY_KEY = (
    "SELECT m.checkpoint_id, m.thread_id FROM cairn_threads AS m WHERE m.thread_id = {mark}"
)


def page_clauses(
    batch: Batch, mark: str, find: str, key_of: str = _SUMMARY_KEY
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses over ``cairn_threads AS t`` that select ``batch``, and their
    parameters. ``mark`` is the backend's placeholder and ``find`` its substring
    position function (``instr``, ``strpos``); ``key_of`` selects the summary key
    ``(checkpoint_id, thread_id)`` of the thread ``{mark}`` (a backend whose summary
    has no index by thread finds it otherwise). Constants, never input."""
    clauses: list[str] = []
    params: list[Any] = []
    if batch.search:
        clauses.append(f"{find}(t.thread_id, {mark}) > 0")
        params.append(batch.search)
    if batch.before is not None:
        clauses.append(f"(t.checkpoint_id, t.thread_id) < ({key_of.format(mark=mark)})")
        params.append(batch.before)
    if batch.after is not None:
        clauses.append(f"(t.checkpoint_id, t.thread_id) < ({mark}, {mark})")
        params.extend(batch.after)
    return clauses, params


def drive(listing: Walk, read: Callable[[Batch], Sequence[CheckpointRow]]) -> list[ThreadInfo]:
    """Run ``listing``, answering each batch with ``read`` (a sync backend's driver)."""
    try:
        request = next(listing)
        while True:
            request = listing.send(read(request))
    except StopIteration as done:
        result: list[ThreadInfo] = done.value
        return result


def opener(fmt: Format) -> Callable[[CheckpointRow], tuple[Record, CheckpointMetadata]]:
    """Opens a row with ``fmt`` and decodes its metadata."""

    def open_record(row: CheckpointRow) -> tuple[Record, CheckpointMetadata]:
        record = fmt.open_checkpoint(row)
        return record, fmt.metadata(row, record)

    return open_record
