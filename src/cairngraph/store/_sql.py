"""A batch on the persistent stores, written once for SQLite and PostgreSQL.

:func:`run_batch` is a generator of statements (``checkpoint/postgres/_statements.py``:
it yields :class:`Query` values and receives their rows); the SQLite store
runs it on ``sqlite3``, the PostgreSQL stores on psycopg, sync or async. SQL
is written with ``%s`` placeholders (SQLite's driver reads them as ``?``).

Invariants:

- SQL text is constant, joined from constant fragments; every value is a
  parameter. The tables (``_schema`` of each backend) have the same columns
  everywhere: times as integer microseconds, values sealed (``_codec``),
  vectors as unit float32 bytes.
- A batch is one transaction: its reads see the store before its puts.
- Expired items are never returned; reads that refresh TTLs update
  ``expires_at`` of exactly the items they return.
- Filters run in Python on opened values (``_match``): sealed and
  encrypted values cannot be filtered in SQL.
- Vector ranking: with ``scores_in_sql`` (sqlite-vec loaded) the database
  computes the similarities; otherwise the vectors are read and ranked in
  Python (``_embed.similarities``). Either way the walk over the ranking,
  the filter and the paging are this module's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query
from cairngraph.store._codec import join_namespace, split_namespace
from cairngraph.store._match import list_namespaces, literal_prefix, matches, window
from cairngraph.store._plan import Embedded, Plan, Ranked, rank
from cairngraph.store._write import Backend, Row, statements, writes
from cairngraph.store.base import GetOp, Item, ListNamespacesOp, Result, SearchOp

__all__ = ["Backend", "run_batch", "run_puts", "sweep"]

_SELECT = (
    "SELECT i.ns, i.key, i.body, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes "
    "FROM cairn_store_items i WHERE 1 = 1"
)
_SELECT_SCORELESS = (
    "SELECT i.ns, i.key, i.body, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes "
    "FROM cairn_store_items i WHERE NOT EXISTS (SELECT 1 FROM cairn_store_vectors v WHERE "
    "v.ns = i.ns AND v.key = i.key)"
)
_ORDER = " ORDER BY i.updated_at DESC, i.ns DESC, i.key DESC"
"""Newest first; ties by namespace and key, so a backward scan of one index serves it."""
_SELECT_PAGE = (
    "SELECT i.ns, i.key, i.body, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes "
    "FROM cairn_store_items i JOIN (SELECT i.ns, i.key FROM cairn_store_items i WHERE 1 = 1"
)
_SELECT_RECENT_PAGE = (
    "SELECT i.ns, i.key, i.body, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes "
    "FROM cairn_store_items i JOIN (SELECT i.ns, i.key FROM (SELECT ns, key, updated_at, "
    "expires_at FROM cairn_store_items ORDER BY updated_at DESC, ns DESC, key DESC LIMIT %s) i "
    "WHERE 1 = 1"
)
_PAGE_END = " LIMIT %s OFFSET %s) page ON i.ns = page.ns AND i.key = page.key"
_RECENT = (8, 128)
"""A page is looked for among the newest ``n x (offset + limit)`` items of the store, for
each ``n`` in turn, before the prefix's own range is sorted (see ``_newest``)."""
_SELECT_NAMESPACES = "SELECT DISTINCT i.ns FROM cairn_store_items i WHERE 1 = 1"
_SCORE_IN_SQL = (
    "SELECT v.ns, v.key, max(1 - vec_distance_cosine(v.embedding, %s)) AS score FROM "
    "cairn_store_vectors v WHERE 1 = 1"
)
_SELECT_VECTORS = "SELECT v.ns, v.key, v.embedding FROM cairn_store_vectors v WHERE 1 = 1"
_REFRESH = (
    "UPDATE cairn_store_items SET expires_at = %s + CAST(ttl_minutes * 60000000 AS BIGINT) "
    "WHERE ttl_minutes IS NOT NULL AND (ns, key) IN (VALUES "
)
_LIVE = " AND (i.expires_at IS NULL OR i.expires_at > %s)"
_PAGE = 64


Found = tuple[Any, dict[str, Any], float | None]
"""A row that a search keeps, its opened value and its score."""


def _prefix(column: str, prefix: tuple[str, ...]) -> tuple[str, list[Any]]:
    """Rows whose namespace starts with ``prefix``: a range on the stored text.

    ``"."`` joins labels and ``"/"`` is the next character, so the range
    ``[p + ".", p + "/")`` holds exactly the namespaces below ``p``.
    """
    if not prefix:
        return "", []
    text = join_namespace(prefix)
    # One index range [p, p + "/"), then the names in it that are neither p nor below
    # it ("p-x" sorts before "p.") are dropped.
    return (
        f" AND {column} >= %s AND {column} < %s AND ({column} = %s OR {column} >= %s)",
        [text, text + "/", text, text + "."],
    )


def run_batch(backend: Backend, plan: Plan, embedded: Embedded, now: int) -> Op:
    """The whole batch: reads in op order, then the puts; returns one result per op.

    One transaction when the batch writes and has more than one statement; puts
    alone are often one statement (``_write``: on PostgreSQL, any batch of puts that
    fits one chunk, vectors included), and a batch of reads needs none (a refreshed
    TTL is not worth a transaction).
    """
    puts = writes(backend, plan.puts, embedded, now)
    if puts and (len(puts) > 1 or plan.reads):
        yield Atomic()
    results: list[Result] = [None] * len(plan.ops)
    for at, op in plan.reads:
        if isinstance(op, GetOp):
            results[at] = yield from _get(backend, op, now)
        elif isinstance(op, SearchOp):
            results[at] = yield from _search(backend, op, embedded, now)
        else:
            results[at] = yield from _list(op, now)
    for statement in puts:  # noqa: UP028 - a list cannot take the rows sent back
        yield statement
    return results


def run_puts(backend: Backend, rows: list[Row]) -> Op:
    """Sealed puts alone (one batch's, or several merged): one transaction when more than
    one statement, as :func:`run_batch` writes them."""
    puts = statements(backend, rows)
    if len(puts) > 1:
        yield Atomic()
    for statement in puts:  # noqa: UP028 - a list cannot take the rows sent back
        yield statement
    return None


def _refresh(rows: list[Any], now: int) -> Iterator[Query]:
    """Restart the TTL of those ``rows`` that have one, in one statement."""
    keys = [(row[0], row[1]) for row in rows if row[6] is not None]
    if not keys:
        return
    pairs = ", ".join(["(%s, %s)"] * len(keys))
    yield Query(
        _REFRESH + pairs + ")",
        (now, *(part for key in keys for part in key)),
    )


def _get(backend: Backend, op: GetOp, now: int) -> Op:
    ns = join_namespace(op.namespace)
    row = yield Query(
        _SELECT + " AND i.ns = %s AND i.key = %s" + _LIVE,
        (ns, op.key, now),
        "one",
    )
    if row is None:
        return None
    item: Item = backend.codec.item(row)
    if op.refresh_ttl:
        yield from _refresh([row], now)
    return item


def _search(backend: Backend, op: SearchOp, embedded: Embedded, now: int) -> Op:
    window([], op.offset, op.limit)  # refuse negative bounds before any statement
    vector = embedded.queries.get(op.query) if op.query else None
    if vector is None:
        found: list[Found] = yield from _newest(backend, op, now)
    else:
        found = yield from _ranked(backend, op, vector, now)
    if op.refresh_ttl:
        yield from _refresh([row for row, _, _ in found], now)
    return [backend.codec.hit(row, value, score) for row, value, score in found]


def _newest(backend: Backend, op: SearchOp, now: int) -> Op:
    """The page of newest items under the prefix (that pass the filter).

    The page is first looked for among the newest items of the whole store (a
    backward scan of the time index that stops there, see ``_RECENT``): when
    those fill it, they are exactly its items, since every item of the prefix
    newer than them is among the newest. Otherwise (a narrow prefix, a rare
    filter) the prefix's whole range is read, newest first. Without a filter
    the keys come from the indexes alone, and only the page's rows are read.
    """
    where, params = _prefix("i.ns", op.namespace_prefix)
    wanted = op.offset + op.limit
    page = _LIVE + _ORDER + _PAGE_END + _ORDER
    for times in _RECENT:
        recent = times * max(wanted, 8)
        if not op.filter:
            rows = yield Query(
                _SELECT_RECENT_PAGE + where + page,
                (recent, *params, now, op.limit, op.offset),
                "all",
            )
            if len(rows) == op.limit:
                return [(row, backend.codec.open(*row[:3]), None) for row in rows]
            continue
        rows = yield Query(
            _SELECT_RECENT_PAGE + where + page, (recent, *params, now, recent, 0), "all"
        )
        kept = _passing(backend, op, rows)
        if len(kept) >= wanted:
            return window(kept, op.offset, op.limit)
    if not op.filter:
        rows = yield Query(_SELECT_PAGE + where + page, (*params, now, op.limit, op.offset), "all")
        return [(row, backend.codec.open(*row[:3]), None) for row in rows]
    rows = yield Query(_SELECT + where + _LIVE + _ORDER, (*params, now), "all")
    return window(_passing(backend, op, rows), op.offset, op.limit)


def _passing(backend: Backend, op: SearchOp, rows: list[Any]) -> list[Found]:
    """The rows whose values pass the filter, in order, up to the page's end."""
    kept: list[Found] = []
    for row in rows:
        value = backend.codec.open(*row[:3])
        if matches(value, op.filter):
            kept.append((row, value, None))
            if len(kept) >= op.offset + op.limit:
                break
    return kept


def _ranking(backend: Backend, op: SearchOp, vector: bytes) -> Op:
    """The prefix's items by similarity, lazily; liveness is checked when their rows are read."""
    where, params = _prefix("v.ns", op.namespace_prefix)
    if backend.scores_in_sql:
        rows = yield Query(
            _SCORE_IN_SQL + where + " GROUP BY v.ns, v.key ORDER BY score DESC, v.ns, v.key",
            (vector, *params),
            "all",
        )
        return iter([Ranked((row[0], row[1]), float(row[2])) for row in rows])
    rows = yield Query(_SELECT_VECTORS + where + " ORDER BY v.ns, v.key", params, "all")
    return rank(vector, [(row[0], row[1]) for row in rows], [bytes(row[2]) for row in rows])


def _ranked(backend: Backend, op: SearchOp, vector: bytes, now: int) -> Op:
    ranked: Iterator[Ranked[tuple[str, str]]] = yield from _ranking(backend, op, vector)
    wanted = op.offset + op.limit
    kept: list[Found] = []
    while len(kept) < wanted and (page := list(itertools.islice(ranked, _PAGE))):
        rows = yield from _items([hit.key for hit in page], now)
        for hit in page:
            row = rows.get(hit.key)
            if row is None:
                continue  # expired, or deleted since
            value = backend.codec.open(*row[:3])
            if matches(value, op.filter):
                kept.append((row, value, hit.score))
    found = window(kept, op.offset, op.limit)
    if len(found) < op.limit:
        found.extend((yield from _scoreless(backend, op, now, op.limit - len(found))))
    return found


def _items(keys: list[tuple[str, str]], now: int) -> Op:
    if not keys:
        return {}
    pairs = ", ".join(["(%s, %s)"] * len(keys))
    params = [part for key in keys for part in key]
    rows = yield Query(
        _SELECT + " AND (i.ns, i.key) IN (VALUES " + pairs + ")" + _LIVE,
        (*params, now),
        "all",
    )
    return {(row[0], row[1]): row for row in rows}


def _scoreless(backend: Backend, op: SearchOp, now: int, count: int) -> Op:
    """Items with no vector, newest first, after the ranked ones (as LangGraph fills a page)."""
    where, params = _prefix("i.ns", op.namespace_prefix)
    rows = yield Query(
        _SELECT_SCORELESS + where + _LIVE + _ORDER,
        (*params, now),
        "all",
    )
    found: list[Found] = []
    for row in rows:
        value = backend.codec.open(*row[:3])
        if matches(value, op.filter):
            found.append((row, value, None))
            if len(found) == count:
                break
    return found


def _list(op: ListNamespacesOp, now: int) -> Op:
    where, params = "", list[Any]()
    for condition in op.match_conditions or ():
        if condition.match_type == "prefix":
            where, params = _prefix("i.ns", literal_prefix(condition.path))
    rows = yield Query(
        _SELECT_NAMESPACES + where + _LIVE,
        (*params, now),
        "all",
    )
    return list_namespaces(op, (split_namespace(row[0]) for row in rows))


def sweep(now: int) -> Op:
    """Delete every expired item and its vectors; return how many items."""
    yield Atomic()
    yield Query(
        "DELETE FROM cairn_store_vectors WHERE EXISTS (SELECT 1 FROM cairn_store_items i WHERE "
        "i.ns = cairn_store_vectors.ns AND i.key = cairn_store_vectors.key AND i.expires_at "
        "IS NOT NULL AND i.expires_at <= %s)",
        (now,),
    )
    rows = yield Query(
        "DELETE FROM cairn_store_items WHERE expires_at IS NOT NULL AND expires_at <= %s "
        "RETURNING key",
        (now,),
        "all",
    )
    return len(rows)
