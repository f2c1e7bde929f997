"""Every read of :class:`~cairngraph.checkpoint.sqlite.SqliteSaver`: one checkpoint,
a list (eager, or listed rows that open on first read), the threads.

Each statement runs inside ``reading()``: the saver's connection lock, with
SQLite's errors turned into cairngraph's. A read takes checkpoint rows, then
their values, in separate statements; a prune or delete committing in
between is told apart from damage (``_retention.unraced``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from cairngraph.checkpoint._config import (
    ListQuery,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.checkpoint._format import CheckpointRow, Record, WriteRow
from cairngraph.checkpoint._listed import ListedPage, ListedTuple
from cairngraph.checkpoint._read import Contents, decode_metadata
from cairngraph.checkpoint._threads import Batch, drive, opener, walk
from cairngraph.checkpoint.base import (
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    ThreadInfo,
)
from cairngraph.checkpoint.sqlite import _retention
from cairngraph.checkpoint.sqlite._store import Store
from cairngraph.errors import CorruptDataError

__all__ = ["Reader"]

PAGE = 200
"""Rows a read opens together: one codec call and one values query each."""

Opened = list[tuple[CheckpointRow, Record, Sequence[WriteRow]]]
_listed = ListedTuple.of


class Reader:
    """The saver's reads over its connection, store and lock."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        store: Store,
        reading: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self.conn = conn
        self.store = store
        self.reading = reading

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id = config_thread_id(config)
        ns = config_namespace(config)
        checkpoint_id = config_checkpoint_id(config)
        load_one = self.store.load_one
        with self.reading():
            try:
                return load_one(thread_id, ns, checkpoint_id)
            except CorruptDataError:
                # A value missing may be a prune's or a delete's race, not damage:
                # unraced() reads again and tells the two apart (the common path
                # skips its closure and loop).
                return _retention.unraced(self.conn, lambda: load_one(thread_id, ns, checkpoint_id))

    def listing(self, query: ListQuery, *, lazy: bool) -> Iterator[CheckpointTuple]:
        clauses, params = query.where("?")
        # Only constant fragments and ``?`` placeholders are joined here.
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        where += " ORDER BY checkpoint_id DESC, thread_id DESC, ns DESC"
        if query.limit is not None and not query.filter:
            where += " LIMIT ?"
            params.append(query.limit)
        if lazy:
            return self._listed(where, params, query)
        return self._eager(where, params, query)

    def _listed(self, where: str, params: list[Any], query: ListQuery) -> Iterator[CheckpointTuple]:
        """Listed rows (``checkpoint/_listed.py``): found now, opened a page at a time
        when one of the page's tuples is first read (a filter opens stage 1 now)."""
        with self.reading():
            found = self.store.rows(where, params)
        count = 0
        for start in range(0, len(found), PAGE):
            rows = found[start : start + PAGE]
            page = ListedPage(rows, self)
            if query.filter:
                records = page.records()
                kept = [
                    i for i, record in enumerate(records) if query.matches(record.metadata or {})
                ]
                rows = [rows[i] for i in kept]
                page = ListedPage(rows, self, [records[i] for i in kept])
            if query.limit is not None:
                rows = rows[: query.limit - count]
            count += len(rows)
            yield from [
                _listed(
                    checkpoint_config(thread_id, ns, checkpoint_id),
                    None if parent_id is None else checkpoint_config(thread_id, ns, parent_id),
                    page,
                    index,
                )
                for index, (thread_id, ns, checkpoint_id, parent_id, _body) in enumerate(rows)
            ]
            if query.limit is not None and count >= query.limit:
                return

    def _eager(self, where: str, params: list[Any], query: ListQuery) -> Iterator[CheckpointTuple]:
        """Rows opened before they are yielded: one joined statement, then a page at a time."""
        store = self.store
        with self.reading():
            selected = store.select(where, params)
        count = 0
        for start in range(0, len(selected), PAGE):
            with self.reading():
                opened: Opened = [
                    (row, store.fmt.open_checkpoint(row), writes)
                    for row, writes in selected[start : start + PAGE]
                ]
                if query.filter:
                    opened = [
                        item
                        for item in opened
                        if query.matches(store.fmt.metadata(item[0], item[1]))
                    ]
                if query.limit is not None:
                    opened = opened[: query.limit - count]
            loaded = self._load(opened)
            for item in loaded:
                count += 1
                yield item
            if query.limit is not None and count >= query.limit:
                return

    def _load(self, opened: Opened) -> list[CheckpointTuple]:
        """Tuples of opened rows; rows a prune removed meanwhile are left out."""

        def narrow() -> None:
            opened[:] = [item for item in opened if _retention.exists(self.conn, *item[0][:3])]

        with self.reading():
            return _retention.unraced(self.conn, lambda: self.store.build(opened), narrow)

    # -- the two stages of a listed page (``_listed.PageSource``) --------------------

    def open_records(self, rows: Sequence[CheckpointRow]) -> list[Record]:
        fmt = self.store.fmt
        records = [fmt.open_checkpoint(row) for row in rows]
        decode_metadata(fmt, rows, records)
        return records

    def open_contents(
        self, rows: Sequence[CheckpointRow], records: Sequence[Record]
    ) -> list[Contents | None]:
        """A row removed since it was listed is still built from its record, with the
        pending writes stored now (none), while every value it names is still stored
        (shared with what was kept), as LangGraph's cursor-driven listing shows it. Only
        a row whose values went with it is None."""
        with self.reading():
            opened: Opened = list(zip(rows, records, self.store.writes_at(rows), strict=True))
            built = self._built_while_removed(opened)
        if len(built) == len(rows):  # none left out: in the order of rows
            return list(built)
        found = {item[0][:3]: contents for item, contents in zip(opened, built, strict=True)}
        return [found.get(row[:3]) for row in rows]

    def _built_while_removed(self, opened: Opened) -> list[Contents]:
        """``store.contents(opened)``, leaving out (from ``opened``, in place) each row
        whose value is missing because the row was removed; damage is raised."""
        while True:
            try:
                return self.store.contents(opened)
            except CorruptDataError as error:
                place = (error.thread_id, error.checkpoint_ns, error.checkpoint_id)
                removed = None not in place and not _retention.exists(self.conn, *place)  # type: ignore[arg-type]
                kept = [item for item in opened if item[0][:3] != place]
                if not removed or len(kept) == len(opened):
                    raise
                opened[:] = kept

    # -- threads ---------------------------------------------------------------------

    def threads(
        self,
        search: str | None,
        filter: Mapping[str, Any] | None,
        before: str | None,
        limit: int | None,
    ) -> Iterator[ThreadInfo]:
        """From ``cairn_threads`` (each thread's latest root checkpoint), a batch at a time."""
        opened = opener(self.store.fmt)

        def read(batch: Batch) -> list[CheckpointRow]:
            with self.reading():
                return self.store.latest_rows(batch)

        def open_record(row: CheckpointRow) -> tuple[Record, CheckpointMetadata]:
            with self.reading():
                return opened(row)

        listing = walk(open_record, search=search, filter=filter, before=before, limit=limit)
        return iter(drive(listing, read))
