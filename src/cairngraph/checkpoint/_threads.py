"""``threads()`` of the savers that store format-2 rows: latest rows → :class:`ThreadInfo`.

A backend selects each thread's latest root checkpoint row, newest first (its
own SQL); this opens them in that order, keeps those whose metadata matches
the filter, and stops at the limit, so rows past the limit are never opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from cairngraph.checkpoint._config import metadata_matches
from cairngraph.checkpoint._format import CheckpointRow, Format, Record
from cairngraph.checkpoint.base import CheckpointMetadata, ThreadInfo

__all__ = ["opener", "thread_infos"]


def thread_infos(
    rows: Sequence[CheckpointRow],
    open_record: Callable[[CheckpointRow], tuple[Record, CheckpointMetadata]],
    filter: Mapping[str, Any] | None,
    limit: int | None,
) -> Iterator[ThreadInfo]:
    """The threads of ``rows`` (latest rows, newest first) matching ``filter``, up to ``limit``.

    ``open_record`` opens a row and decodes its metadata (:func:`opener` makes one).
    """
    count = 0
    for row in rows:
        if limit is not None and count >= limit:
            return
        record, metadata = open_record(row)
        if metadata_matches(metadata, filter):
            count += 1
            yield ThreadInfo(
                thread_id=row.thread_id,
                checkpoint_id=row.checkpoint_id,
                ts=record.ts,
                metadata=metadata,
            )


def opener(fmt: Format) -> Callable[[CheckpointRow], tuple[Record, CheckpointMetadata]]:
    """Opens a row with ``fmt`` and decodes its metadata."""

    def open_record(row: CheckpointRow) -> tuple[Record, CheckpointMetadata]:
        record = fmt.open_checkpoint(row)
        return record, fmt.metadata(row, record)

    return open_record
