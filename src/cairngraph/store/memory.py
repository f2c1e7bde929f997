"""``InMemoryStore``: the Store in a Python dict, for tests, notebooks and short programs.

Invariants:

- Items are copied in and out (``copy.deepcopy``): changing a returned
  ``item.value``, or the dict given to ``put``, never changes what is stored.
- Without a query, search returns items in the order they were first stored
  (namespace by namespace, as LangGraph's in-memory store does).
- TTLs work as on the persistent stores: expired items are never returned,
  and :meth:`InMemoryStore.sweep_ttl` (or the background sweeper) frees them.
- One lock guards the dicts, so many threads may share a store.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cairngraph.store import _plan
from cairngraph.store._embed import Index
from cairngraph.store._match import list_namespaces, matches, window
from cairngraph.store._plan import Embedded, Key, Plan
from cairngraph.store._ttl import ThreadSweeper
from cairngraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    Op,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

__all__ = ["InMemoryStore"]


@dataclass(slots=True)
class _Record:
    value: dict[str, Any]
    created_at: int
    updated_at: int
    expires_at: int | None
    ttl: float | None
    vectors: list[tuple[str, bytes]] = field(default_factory=list)

    def live(self, now: int) -> bool:
        return self.expires_at is None or self.expires_at > now


def _time(microseconds: int) -> datetime:
    return datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)


class InMemoryStore(ThreadSweeper, BaseStore):
    """A store that lives as long as the process.

    Example::

        from cairngraph.store.memory import InMemoryStore

        store = InMemoryStore()
        store.put(("memories", "ann"), "1", {"text": "likes tea"})
        graph = builder.compile(store=store)
    """

    def __init__(self, *, index: IndexConfig | None = None, ttl: TTLConfig | None = None) -> None:
        self._data: dict[tuple[str, ...], dict[str, _Record]] = {}
        self._lock = threading.RLock()
        self.index_config = index
        self._index = Index.of(index)
        self.ttl_config = ttl
        ThreadSweeper.__init__(self)

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run ``ops``; see :class:`~cairngraph.store.base.BaseStore`."""
        planned = _plan.plan(ops, self._index)
        return self._apply(planned, _plan.embed(planned, self._index))

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Async :meth:`batch`: an async embed function is awaited; the rest is in memory."""
        planned = _plan.plan(ops, self._index)
        return self._apply(planned, await _plan.aembed(planned, self._index))

    def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""
        now = _plan.now_us()
        with self._lock:
            count = 0
            for namespace, records in list(self._data.items()):
                for key in [key for key, record in records.items() if not record.live(now)]:
                    del records[key]
                    count += 1
                if not records:
                    del self._data[namespace]
            return count

    # -- applying a plan ---------------------------------------------------------------

    def _apply(self, planned: Plan, embedded: Embedded) -> list[Result]:
        results: list[Result] = [None] * len(planned.ops)
        now = _plan.now_us()
        with self._lock:
            for at, op in planned.reads:
                if isinstance(op, GetOp):
                    results[at] = self._get(op, now)
                elif isinstance(op, SearchOp):
                    results[at] = self._search(op, embedded, now)
                else:
                    results[at] = self._list(op, now)
            for (namespace, key), put in planned.puts.items():
                records = self._data.setdefault(namespace, {})
                if put.value is None:
                    records.pop(key, None)
                    if not records:
                        del self._data[namespace]
                    continue
                old = records.get(key)
                created = old.created_at if old is not None and old.live(now) else now
                records[key] = _Record(
                    copy.deepcopy(dict(put.value)),
                    created,
                    now,
                    _plan.ttl_expiry(put, now),
                    put.ttl,
                    embedded.vectors.get((namespace, key), []),
                )
        return results

    def _live(self, namespace: tuple[str, ...], key: str, now: int) -> _Record | None:
        record = self._data.get(namespace, {}).get(key)
        return record if record is not None and record.live(now) else None

    def _touch(self, record: _Record, refresh: bool, now: int) -> None:
        if refresh and record.ttl is not None:
            record.expires_at = _plan.refreshed(record.ttl, now)

    def _get(self, op: GetOp, now: int) -> Item | None:
        record = self._live(op.namespace, op.key, now)
        if record is None:
            return None
        self._touch(record, op.refresh_ttl, now)
        return Item(
            value=copy.deepcopy(record.value),
            key=op.key,
            namespace=op.namespace,
            created_at=_time(record.created_at),
            updated_at=_time(record.updated_at),
        )

    def _found(self, op: SearchOp, now: int) -> list[tuple[Key, _Record]]:
        width = len(op.namespace_prefix)
        return [
            ((namespace, key), record)
            for namespace, records in self._data.items()
            if namespace[:width] == op.namespace_prefix
            for key, record in records.items()
            if record.live(now) and matches(record.value, op.filter)
        ]

    def _search(self, op: SearchOp, embedded: Embedded, now: int) -> list[SearchItem]:
        found = self._found(op, now)
        vector = embedded.queries.get(op.query) if op.query else None
        if vector is None:
            page: list[tuple[Key, _Record, float | None]] = [
                (key, record, None) for key, record in window(found, op.offset, op.limit)
            ]
        else:
            page = _ranked_page(op, vector, found)
        hits = []
        for (namespace, key), record, score in page:
            self._touch(record, op.refresh_ttl, now)
            hits.append(
                SearchItem(
                    namespace,
                    key,
                    copy.deepcopy(record.value),
                    _time(record.created_at),
                    _time(record.updated_at),
                    score,
                )
            )
        return hits

    def _list(self, op: ListNamespacesOp, now: int) -> list[tuple[str, ...]]:
        return list_namespaces(
            op,
            (
                ns
                for ns, records in self._data.items()
                if any(r.live(now) for r in records.values())
            ),
        )


def _ranked_page(
    op: SearchOp, vector: bytes, found: list[tuple[Key, _Record]]
) -> list[tuple[Key, Any, float | None]]:
    """The page of ``found`` ranked by similarity; items with no vector come last, unscored."""
    by_key = dict(found)
    keys = [key for key, record in found for _ in record.vectors]
    vectors = [blob for _, record in found for _, blob in record.vectors]
    ranked = list(itertools.islice(_plan.rank(vector, keys, vectors), op.offset + op.limit))
    page: list[tuple[Key, Any, float | None]] = [
        (hit.key, by_key[hit.key], hit.score) for hit in ranked[op.offset :]
    ]
    if len(page) < op.limit:
        scoreless = [(key, record, None) for key, record in found if not record.vectors]
        page.extend(scoreless[: op.limit - len(page)])
    return page
