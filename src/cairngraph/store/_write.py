"""A batch's puts as statements: as few as the backend allows, written once for every store.

A batch holds one put per key (``_plan``: the last put of a key wins), so
its puts touch disjoint items and may be written in any grouping. They are
written in *chunks* whose parameters fit the backend's limit
(:attr:`Backend.max_params`); a chunk's deletes are one multi-row statement
and its upserts another, however many items it holds.

Invariants:

- Values are sealed before any statement is built: a value that cannot be
  serialized fails the batch before anything is written.
- On PostgreSQL (``one_statement_puts``) a chunk is one statement: the
  deletes, the stale-vector delete and the vector upsert are data-modifying
  CTEs beside the item upsert. Sibling CTEs see one snapshot, so they touch
  disjoint rows: deletes and upserts are of different keys, and the vector
  delete keeps the names the vector upsert writes. A lone put, or a batch
  of puts alone that fits one chunk, is then one statement in autocommit:
  one round trip, one commit.
- On SQLite a chunk is up to four statements, in the batch's transaction:
  the vectors of its items deleted, its deleted items deleted, its written
  items upserted, their vectors inserted.
- An item whose vectors alone exceed the limit is a chunk of its own,
  written as separate statements, its vectors inserted in slices.
- Rows are written in key order (one lock order for every writer: no
  deadlock between concurrent multi-row puts).
- Sealing (:func:`rows`) and building statements (:func:`statements`) are
  apart, so that the rows of several batches, each sealed by its caller, can
  be merged and written together (``_group``: group commit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint.postgres._statements import Query
from cairngraph.store._codec import ValueCodec, join_namespace
from cairngraph.store._plan import Embedded, Key, ttl_expiry
from cairngraph.store.base import PutOp

__all__ = ["Backend", "Row", "merge", "rows", "statements", "writes"]

_PAIR = "(%s, %s)"
_TRIPLE = "(%s, %s, %s)"
_VECTOR = "(%s, %s, %s, %s)"
_ITEM = "(%s, %s, %s, %s, %s, %s, %s)"
_DELETE_ITEMS = "DELETE FROM cairn_store_items WHERE (ns, key) IN (VALUES "
_DELETE_VECTORS = "DELETE FROM cairn_store_vectors WHERE (ns, key) IN (VALUES "
_KEEPING = ") AND (ns, key, name) NOT IN (VALUES "
_INSERT_VECTORS = "INSERT INTO cairn_store_vectors (ns, key, name, embedding) VALUES "
_VECTOR_CONFLICT = " ON CONFLICT (ns, key, name) DO UPDATE SET embedding = excluded.embedding"
_UPSERT = (
    "INSERT INTO cairn_store_items AS i (ns, key, body, created_at, updated_at, expires_at, "
    "ttl_minutes) VALUES "
)
_UPSERT_CONFLICT = (
    " ON CONFLICT (ns, key) DO UPDATE SET body = excluded.body, updated_at = "
    "excluded.updated_at, expires_at = excluded.expires_at, ttl_minutes = excluded.ttl_minutes, "
    "created_at = CASE WHEN i.expires_at IS NOT NULL AND i.expires_at <= excluded.updated_at "
    "THEN excluded.created_at ELSE i.created_at END"
)
"""An expired item that is written again starts anew: its ``created_at`` is the put's."""


@dataclass(frozen=True, slots=True)
class Backend:
    """What a batch needs from its store."""

    codec: ValueCodec
    indexed: bool
    """The store has an ``index``: puts replace the item's vectors."""
    scores_in_sql: bool
    """The database has ``vec_distance_cosine`` (sqlite-vec)."""
    one_statement_puts: bool
    """Write a chunk of puts as one statement, its vectors in data-modifying CTEs
    (PostgreSQL), so puts alone need no transaction; SQLite has no such CTEs."""
    max_params: int
    """The most parameters one statement may carry."""


@dataclass(frozen=True, slots=True)
class Row:
    """One put, sealed: the item's columns (None for a delete) and its vectors."""

    ns: str
    key: str
    columns: tuple[Any, ...] | None
    vectors: tuple[tuple[str, bytes], ...]

    @property
    def cost(self) -> int:
        """Parameters the row adds to a chunk's statements, at most."""
        return 9 + 7 * len(self.vectors)


def writes(backend: Backend, puts: dict[Key, PutOp], embedded: Embedded, now: int) -> list[Query]:
    """The statements that apply ``puts`` (in key order; see the module's invariants)."""
    return statements(backend, rows(backend, puts, embedded, now))


def rows(backend: Backend, puts: dict[Key, PutOp], embedded: Embedded, now: int) -> list[Row]:
    """``puts`` sealed, in order: raises for a value that cannot be serialized."""
    return [_row(backend, place, put, embedded, now) for place, put in puts.items()]


def merge(batches: list[list[Row]]) -> list[Row]:
    """The rows of ``batches`` applied in turn: one row per item, the last of it winning.

    Example: ``merge([[a1, b1], [a2]]) == [b1, a2]`` when ``a1`` and ``a2`` are one item's.
    """
    merged: dict[tuple[str, str], Row] = {}
    for batch in batches:
        for row in batch:
            merged.pop((row.ns, row.key), None)  # a later write moves to the end, as in _plan
            merged[(row.ns, row.key)] = row
    return list(merged.values())


def statements(backend: Backend, rows: list[Row]) -> list[Query]:
    """The statements that write ``rows`` (one per item), as few as the backend allows.

    Rows are written in key order: every writer then locks rows in one order, so
    concurrent multi-row statements (other processes', other groups') cannot deadlock.
    """
    built: list[Query] = []
    ordered = sorted(rows, key=_place)
    for chunk in _chunks(ordered, backend.max_params):
        if backend.one_statement_puts and sum(row.cost for row in chunk) <= backend.max_params:
            built.append(_one_statement(backend, chunk))
        else:
            built.extend(_statements(backend, chunk))
    return built


def _place(row: Row) -> tuple[str, str]:
    return row.ns, row.key


def _row(backend: Backend, place: Key, put: PutOp, embedded: Embedded, now: int) -> Row:
    namespace, key = place
    ns = join_namespace(namespace)
    if put.value is None:
        return Row(ns, key, None, ())
    body = backend.codec.seal(ns, key, put.value)
    columns = (ns, key, body, now, now, ttl_expiry(put, now), put.ttl)
    # One vector per name: a field listed twice in the index is embedded once.
    vectors = dict(embedded.vectors.get(place, ())) if backend.indexed else {}
    return Row(ns, key, columns, tuple(vectors.items()))


def _chunks(rows: list[Row], budget: int) -> Iterator[list[Row]]:
    """``rows`` in order, cut so that each chunk's cost fits ``budget`` (or is one row)."""
    chunk: list[Row] = []
    cost = 0
    for row in rows:
        if chunk and cost + row.cost > budget:
            yield chunk
            chunk, cost = [], 0
        chunk.append(row)
        cost += row.cost
    if chunk:
        yield chunk


def _values(template: str, count: int) -> str:
    return ", ".join([template] * count)


def _one_statement(backend: Backend, chunk: list[Row]) -> Query:
    """The chunk as one PostgreSQL statement: its last part, the others CTEs before it."""
    deleted = [row for row in chunk if row.columns is None]
    written = [row for row in chunk if row.columns is not None]
    vectors = [(row, name, blob) for row in written for name, blob in row.vectors]
    parts: list[tuple[str, list[Any]]] = []
    if deleted:
        keys = [part for row in deleted for part in (row.ns, row.key)]
        parts.append((_DELETE_ITEMS + _values(_PAIR, len(deleted)) + ")", keys))
    if backend.indexed:
        stale = _DELETE_VECTORS + _values(_PAIR, len(chunk))
        params = [part for row in chunk for part in (row.ns, row.key)]
        if vectors:
            stale += _KEEPING + _values(_TRIPLE, len(vectors))
            params += [part for row, name, _ in vectors for part in (row.ns, row.key, name)]
        parts.append((stale + ")", params))
    if vectors:
        insert = _INSERT_VECTORS + _values(_VECTOR, len(vectors)) + _VECTOR_CONFLICT
        blobs = [part for row, name, blob in vectors for part in (row.ns, row.key, name, blob)]
        parts.append((insert, blobs))
    if written:
        upsert = _UPSERT + _values(_ITEM, len(written)) + _UPSERT_CONFLICT
        parts.append((upsert, [part for row in written for part in row.columns or ()]))
    *ctes, (last, _) = parts
    named = ", ".join("c" + str(at) + " AS (" + cte + ")" for at, (cte, _) in enumerate(ctes))
    sql = "WITH " + named + " " + last if ctes else last
    return Query(sql, tuple(part for _, values in parts for part in values))


def _statements(backend: Backend, chunk: list[Row]) -> Iterator[Query]:
    """The chunk as separate statements, for the batch's transaction."""
    deleted = [row for row in chunk if row.columns is None]
    written = [row for row in chunk if row.columns is not None]
    if backend.indexed:
        yield _by_keys(_DELETE_VECTORS, chunk)
    if deleted:
        yield _by_keys(_DELETE_ITEMS, deleted)
    if written:
        yield Query(
            _UPSERT + _values(_ITEM, len(written)) + _UPSERT_CONFLICT,
            tuple(part for row in written for part in row.columns or ()),
        )
    vectors = [(row.ns, row.key, name, blob) for row in written for name, blob in row.vectors]
    step = max(1, backend.max_params // 4)
    for start in range(0, len(vectors), step):
        part = vectors[start : start + step]
        yield Query(
            _INSERT_VECTORS + _values(_VECTOR, len(part)),
            tuple(value for vector in part for value in vector),
        )


def _by_keys(head: str, rows: list[Row]) -> Query:
    return Query(
        head + _values(_PAIR, len(rows)) + ")",
        tuple(part for row in rows for part in (row.ns, row.key)),
    )
