"""Format-2 rows for retention, shared by SQLite and PostgreSQL: which values rows need,
and the same rows under another thread id (``copy_thread``).

Invariants:

- A thread's live addresses are those its remaining checkpoint and writes
  rows name, and (backends close over them) every delta's bases: a kept
  delta whose base a pruned checkpoint wrote keeps that base alive.
- A moved row is opened (its seal checked at its old place) and sealed again
  at its new place, so an encrypted copy stays bound to where it lives. Value
  rows are bound to their address alone, so the copy shares them.
"""

from __future__ import annotations

from collections.abc import Iterable

from cairngraph.checkpoint._format import (
    CheckpointRow,
    Format,
    WriteRow,
    checkpoint_where,
    stored_addresses,
    writes_where,
)
from cairngraph.checkpoint._where import Where
from cairngraph.errors import SerializationError

__all__ = ["live_addresses", "moved_checkpoint", "moved_writes"]


def live_addresses(
    fmt: Format, checkpoints: Iterable[CheckpointRow], writes: Iterable[WriteRow]
) -> set[bytes]:
    """The value addresses ``checkpoints`` and ``writes`` name directly (bases not included)."""
    found: set[bytes] = set()
    for row in checkpoints:
        found.update(stored_addresses(fmt.open_checkpoint(row).refs.values()))
    for write in writes:
        _path, items = fmt.open_writes(write)
        found.update(stored_addresses(item[2] for item in items))
    return found


def _resealed(fmt: Format, old: Where, new: Where, body: bytes) -> bytes:
    try:
        content = fmt.seal.open(bytes(body), old.place())
    except SerializationError as error:
        raise old.wrap(error) from None
    return fmt.seal.seal(content, new.place())


def moved_checkpoint(fmt: Format, row: CheckpointRow, thread_id: str) -> CheckpointRow:
    """``row`` as a row of ``thread_id``, its payload checked, then sealed at its new place."""
    fmt.open_checkpoint(row)  # the whole record checked before it is copied
    new = CheckpointRow(thread_id, row.checkpoint_ns, row.checkpoint_id, row.parent_id, b"")
    body = _resealed(fmt, checkpoint_where(row), checkpoint_where(new), row.body)
    return new._replace(body=body)


def moved_writes(fmt: Format, row: WriteRow, thread_id: str) -> WriteRow:
    """``row`` as a writes row of ``thread_id``, checked, then sealed at its new place."""
    fmt.open_writes(row)
    new = WriteRow(thread_id, row.checkpoint_ns, row.checkpoint_id, row.task_id, row.slot, b"")
    body = _resealed(fmt, writes_where(row), writes_where(new), row.body)
    return new._replace(body=body)
