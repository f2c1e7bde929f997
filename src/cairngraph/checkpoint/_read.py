"""Opened format-2 rows → :class:`CheckpointTuple`: the last step of every read.

A backend fetches checkpoint rows with their writes rows and the values they
name (``_format.ValueLoader``), opens them (``Format.open_checkpoint``,
``Format.open_writes``: seals checked), and hands the lot to :func:`tuples`
(or, when it holds the configs already, as ``list()``'s listed rows do, to
:func:`contents`).

Invariants:

- Every small value of a page (the channel values, the pending writes and the
  metadata of all its checkpoints) decodes in one codec call: a page of
  checkpoints costs one ``unpackb``, not one per value or per checkpoint.
- When that call fails, each checkpoint is decoded again alone, each value
  separately, so the error names the one checkpoint, channel or task whose
  value does not decode. Raw decoding errors never escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.checkpoint._config import checkpoint_config
from cairngraph.checkpoint._format import (
    CheckpointRow,
    Format,
    Record,
    ValueLoader,
    WriteRow,
    checkpoint_where,
    writes_where,
)
from cairngraph.checkpoint.base import Checkpoint, CheckpointTuple, PendingWrite, make_checkpoint
from cairngraph.errors import SerializationError

__all__ = ["Contents", "Entry", "OpenedWrites", "contents", "decode_metadata", "tuples"]

_new = tuple.__new__

OpenedWrites = tuple[WriteRow, str, list[list[Any]]]
"""A writes row with what :meth:`Format.open_writes` found in it: task path, items."""

Entry = tuple[CheckpointRow, Record, Sequence[OpenedWrites]]
"""One checkpoint to build: its row, its opened record, its opened writes rows."""

Contents = tuple[Checkpoint, list[PendingWrite]]
"""What a tuple holds beyond its configs and metadata: the checkpoint, the pending writes."""


def tuples(fmt: Format, entries: Sequence[Entry], loader: ValueLoader) -> list[CheckpointTuple]:
    """The tuples of ``entries``, in order, every raw value of them decoded at once.

    ``loader`` holds the content-addressed values the entries name (already fetched).
    """
    built = []
    for (row, record, _writes), (checkpoint, pending) in zip(
        entries, contents(fmt, entries, loader), strict=True
    ):
        thread_id, ns, checkpoint_id, parent_id, _body = row
        config = checkpoint_config(thread_id, ns, checkpoint_id)
        parent = None if parent_id is None else checkpoint_config(thread_id, ns, parent_id)
        # NamedTuples made by position without their Python-level __new__.
        built.append(_new(CheckpointTuple, (config, checkpoint, record.metadata, parent, pending)))
    return built


def contents(fmt: Format, entries: Sequence[Entry], loader: ValueLoader) -> list[Contents]:
    """The checkpoint and pending writes of each of ``entries`` (metadata kept in its
    record), in order, every raw value of them decoded in one codec call."""
    raws: list[bytes] = []
    add = raws.append
    embeds = fmt.embeds
    # Plain loops, not a comprehension per row: a page is many rows of few values each.
    for _row, record, writes in entries:
        if embeds and record.metadata is None and record.meta[0] == "msgpack":
            add(record.meta[1])
        for ref in record.refs.values():
            if type(ref) is bytes:
                add(ref)
        for _write, _path, items in writes:
            for item in items:
                if type(item[2]) is bytes:
                    add(item[2])
    if not raws:
        return [_contents(fmt, row, record, writes, loader) for row, record, writes in entries]
    try:
        decoded = fmt.decode_raws(raws)
    except SerializationError:
        if len(entries) > 1:
            return [found for entry in entries for found in contents(fmt, [entry], loader)]
        return [_contents(fmt, *entries[0], loader)]
    return _placed(fmt, entries, loader, decoded)


def _placed(
    fmt: Format, entries: Sequence[Entry], loader: ValueLoader, decoded: list[Any]
) -> list[Contents]:
    """:func:`contents` once the raw values decoded: ``decoded`` holds them in the
    order :func:`contents` gathered them, taken here by position (a run of raw refs
    at a time: the common case is a checkpoint whose every value is raw)."""
    embeds = fmt.embeds
    at = 0
    found: list[Contents] = []
    for row, record, writes in entries:
        if record.metadata is None:
            if embeds and record.meta[0] == "msgpack":
                metadata = decoded[at]
                at += 1
                if type(metadata) is dict:
                    record.metadata = metadata  # type: ignore[assignment]  # a mapping
                else:
                    fmt.set_metadata(row, record, metadata)  # raises, naming the row
            else:
                fmt.metadata(row, record)
        refs = record.refs
        values: dict[str, Any] = {}
        for channel, ref in refs.items():
            if type(ref) is bytes:
                values[channel] = decoded[at]
                at += 1
            else:
                values[channel] = fmt.decode_ref(checkpoint_where(row).at(channel), ref, loader)
        pending: list[PendingWrite] = []
        for write, _path, items in writes:
            task_id = write.task_id
            for channel, _index, ref in items:
                if type(ref) is bytes:
                    value = decoded[at]
                    at += 1
                else:
                    value = fmt.decode_ref(writes_where(write).at(channel), ref, loader)
                pending.append(_new(PendingWrite, (task_id, channel, value)))
        checkpoint = make_checkpoint(
            row[2], record.ts, values, record.versions, record.seen, tuple(record.updated), record.v
        )
        found.append((checkpoint, pending))
    return found


def decode_metadata(fmt: Format, rows: Sequence[CheckpointRow], records: Sequence[Record]) -> None:
    """Decode (and keep in each record) the metadata of ``records``: one codec call for
    all, or, when it fails or the codec embeds nothing, each alone, so the error names
    its checkpoint."""
    pending = [
        (row, record) for row, record in zip(rows, records, strict=True) if record.metadata is None
    ]
    if fmt.embeds and all(record.meta[0] == "msgpack" for _row, record in pending):
        try:
            decoded = fmt.decode_raws([record.meta[1] for _row, record in pending])
        except SerializationError:
            pass
        else:
            for (row, record), metadata in zip(pending, decoded, strict=True):
                if type(metadata) is dict:
                    record.metadata = metadata  # type: ignore[assignment]  # a mapping
                else:
                    fmt.set_metadata(row, record, metadata)  # raises, naming the row
            return
    for row, record in pending:
        fmt.metadata(row, record)


def _contents(
    fmt: Format,
    row: CheckpointRow,
    record: Record,
    writes: Sequence[OpenedWrites],
    loader: ValueLoader,
) -> Contents:
    """One checkpoint's contents, each value decoded alone, so a failure names its place."""
    fmt.metadata(row, record)
    values = {
        channel: fmt.decode_ref(checkpoint_where(row).at(channel), ref, loader)
        for channel, ref in record.refs.items()
    }
    pending = [
        _new(
            PendingWrite,
            (write.task_id, channel, fmt.decode_ref(writes_where(write).at(channel), ref, loader)),
        )
        for write, _path, items in writes
        for channel, _index, ref in items
    ]
    checkpoint = make_checkpoint(
        row[2], record.ts, values, record.versions, record.seen, tuple(record.updated), record.v
    )
    return checkpoint, pending
