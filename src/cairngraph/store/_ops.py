"""The four records a store batch is made of, as LangGraph defines them (named tuples).

Invariant: the records carry no behaviour; :func:`cairngraph.store.base.check_op`
checks them, and each store's ``batch`` runs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from cairngraph.store._item import Item, SearchItem

__all__ = [
    "GetOp",
    "ListNamespacesOp",
    "MatchCondition",
    "NamespaceMatchType",
    "NamespacePath",
    "Op",
    "PutOp",
    "Result",
    "SearchOp",
]


class GetOp(NamedTuple):
    """Read one item; ``refresh_ttl`` restarts its TTL."""

    namespace: tuple[str, ...]
    key: str
    refresh_ttl: bool = True


class SearchOp(NamedTuple):
    """Items under ``namespace_prefix`` matching ``filter``; ranked by ``query`` when given."""

    namespace_prefix: tuple[str, ...]
    filter: dict[str, Any] | None = None
    limit: int = 10
    offset: int = 0
    query: str | None = None
    refresh_ttl: bool = True


NamespacePath = tuple[str, ...]
"""A namespace pattern; a ``"*"`` label matches any one label."""
NamespaceMatchType = Literal["prefix", "suffix"]


class MatchCondition(NamedTuple):
    """A namespace must start (``"prefix"``) or end (``"suffix"``) with ``path``."""

    match_type: NamespaceMatchType
    path: NamespacePath


class ListNamespacesOp(NamedTuple):
    """The distinct namespaces matching every condition, cut to ``max_depth`` labels."""

    match_conditions: tuple[MatchCondition, ...] | None = None
    max_depth: int | None = None
    limit: int = 100
    offset: int = 0


class PutOp(NamedTuple):
    """Store ``value`` (None deletes); ``index`` picks the fields to embed (False: none);
    ``ttl`` in minutes (None: keep)."""

    namespace: tuple[str, ...]
    key: str
    value: Mapping[str, Any] | None
    index: Literal[False] | list[str] | None = None  # type: ignore[assignment]
    ttl: float | None = None


Op = GetOp | SearchOp | PutOp | ListNamespacesOp
Result = Item | list[Item] | list[SearchItem] | list[tuple[str, ...]] | None
