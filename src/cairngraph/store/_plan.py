"""A batch, checked and planned once for every store: what to read, write and embed.

A batch runs in two phases. First the *plan* (:func:`plan`) checks every op
and works out the texts to embed (the indexed fields of the puts, and the
search queries); the embedder then runs, sync (:func:`embed`) or async
(:func:`aembed`): the only part of a batch that differs between the two.
Then a store applies the plan with the vectors (:class:`Embedded`).

Invariants:

- Reads (get, search, list) see the store as it was before the batch's
  puts, which apply afterwards, in op order, the last put of a key winning
  (LangGraph's rule).
- No vector is computed for a deleted item, an ``index=False`` put, or on a
  store without an index (its ``index=`` arguments are ignored, as in
  LangGraph). A search ``query`` on a store without an index returns items
  unranked, with ``score`` None.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cairngraph.store._embed import Index, best_first, pack, texts_at
from cairngraph.store.base import GetOp, ListNamespacesOp, Op, PutOp, SearchOp, check_op

__all__ = ["Embedded", "Plan", "Ranked", "aembed", "embed", "now_us", "plan", "rank"]

Key = tuple[tuple[str, ...], str]
K = TypeVar("K", bound=Hashable)


def now_us() -> int:
    """The time now, in microseconds since the epoch (how every store keeps times)."""
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class Plan:
    """A checked batch: its ops, its puts by key (last wins), and the texts to embed."""

    ops: tuple[Op, ...]
    reads: tuple[tuple[int, GetOp | SearchOp | ListNamespacesOp], ...]
    puts: dict[Key, PutOp]
    texts: tuple[tuple[Key, str, str], ...]
    """``(item, vector name, text)`` per text of the puts' indexed fields."""
    queries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Embedded:
    """The plan's vectors, packed (see ``_embed.pack``)."""

    vectors: dict[Key, list[tuple[str, bytes]]] = field(default_factory=dict)
    queries: dict[str, bytes] = field(default_factory=dict)


def plan(ops: Iterable[Op], index: Index | None) -> Plan:
    """Check ``ops`` and plan them for a store with ``index`` (or none)."""
    checked = tuple(check_op(op) for op in ops)
    reads = tuple((at, op) for at, op in enumerate(checked) if not isinstance(op, PutOp))
    puts: dict[Key, PutOp] = {}
    for op in checked:
        if isinstance(op, PutOp):
            puts.pop((op.namespace, op.key), None)  # a later put moves to the end
            puts[(op.namespace, op.key)] = op
    texts: list[tuple[Key, str, str]] = []
    queries: list[str] = []
    if index is not None:
        for key, op in puts.items():
            if op.value is None or op.index is False:
                continue
            paths = index.fields if op.index is None else tuple(op.index)
            texts.extend((key, name, text) for name, text in texts_at(op.value, paths))
        queries = sorted({op.query for _, op in reads if isinstance(op, SearchOp) and op.query})
    return Plan(checked, reads, puts, tuple(texts), tuple(queries))


def _pack(plan: Plan, documents: list[list[float]], asked: list[list[float]]) -> Embedded:
    embedded = Embedded()
    for (key, name, _), vector in zip(plan.texts, documents, strict=True):
        embedded.vectors.setdefault(key, []).append((name, pack(vector)))
    for query, vector in zip(plan.queries, asked, strict=True):
        embedded.queries[query] = pack(vector)
    return embedded


def embed(plan: Plan, index: Index | None) -> Embedded:
    """The plan's vectors, from a sync context."""
    if index is None or not (plan.texts or plan.queries):
        return Embedded()
    documents = index.embedder.embed([text for _, _, text in plan.texts])
    return _pack(plan, documents, index.embedder.embed(list(plan.queries), query=True))


async def aembed(plan: Plan, index: Index | None) -> Embedded:
    """The plan's vectors, from a coroutine."""
    if index is None or not (plan.texts or plan.queries):
        return Embedded()
    documents = await index.embedder.aembed([text for _, _, text in plan.texts])
    asked = await index.embedder.aembed(list(plan.queries), query=True)
    return _pack(plan, documents, asked)


@dataclass(frozen=True, slots=True)
class Ranked(Generic[K]):
    """An item's best similarity to a query."""

    key: K
    score: float


def rank(query: bytes, keys: Sequence[K], vectors: Sequence[bytes]) -> Iterator[Ranked[K]]:
    """Items by their best vector's similarity to ``query``, best first, computed lazily.

    ``keys[i]`` names the item of ``vectors[i]``. Ties keep the given order
    (stored order in memory, key order in SQL).
    """
    scores, order = best_first(query, vectors)
    seen: set[K] = set()
    for at in order:
        key = keys[at]
        if key not in seen:  # its first vector in the order is its best one
            seen.add(key)
            yield Ranked(key, scores[at])


def ttl_expiry(op: PutOp, now: int) -> int | None:
    """When a put's item expires (microseconds), or None."""
    return None if op.ttl is None else now + int(op.ttl * 60_000_000)


def refreshed(ttl_minutes: Any, now: int) -> int | None:
    """A refreshed item's new expiry, or None when it has no TTL."""
    return None if ttl_minutes is None else now + int(float(ttl_minutes) * 60_000_000)
