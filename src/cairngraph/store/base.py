"""The long-term Store contract: items in namespaces, operations, and :class:`BaseStore`.

A store keeps JSON-like dicts (*items*) under a namespace (a tuple of string
labels, such as ``("memories", user_id)``) and a key, across threads and runs.
Nodes reach it as the ``store`` parameter or ``runtime.store`` once the graph is
compiled with ``compile(store=...)``.

Invariants:

- Every operation is one of four records (:class:`GetOp`, :class:`PutOp`,
  :class:`SearchOp`, :class:`ListNamespacesOp`); a store implements only
  :meth:`BaseStore.batch`. The convenience methods (``get``, ``put``, ...)
  check their input, then build one record each.
- Async methods work on every store: :meth:`BaseStore.abatch` runs
  :meth:`~BaseStore.batch` in a worker thread unless a store has a native
  async path.
- Namespace labels are non-empty strings with no ``"."`` and no NUL (the
  persistent stores join labels with ``"."``); a namespace written to has at
  least one label and does not start with ``"langgraph"`` (reserved, as in
  LangGraph). Bad input raises :class:`InvalidNamespaceError` before anything
  is stored.
- TTLs are in minutes, as in LangGraph. An expired item is never returned,
  whether or not a sweep has deleted it yet.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from cairngraph.errors import CairnGraphError
from cairngraph.store._item import Item, SearchItem
from cairngraph.store._ops import (
    GetOp,
    ListNamespacesOp,
    MatchCondition,
    NamespaceMatchType,
    NamespacePath,
    Op,
    PutOp,
    Result,
    SearchOp,
)

if TYPE_CHECKING:
    from cairngraph.store._embed import EmbeddingsLike

__all__ = [
    "NOT_PROVIDED",
    "BaseStore",
    "GetOp",
    "IndexConfig",
    "InvalidNamespaceError",
    "Item",
    "ListNamespacesOp",
    "MatchCondition",
    "NamespaceMatchType",
    "NamespacePath",
    "NotProvided",
    "Op",
    "PutOp",
    "Result",
    "SearchItem",
    "SearchOp",
    "TTLConfig",
]


class InvalidNamespaceError(CairnGraphError, ValueError):
    """A namespace the store cannot take; the message names the bad label and the rule."""


class NotProvided:
    """The type of :data:`NOT_PROVIDED`: "the caller passed nothing" (None means "no TTL")."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_PROVIDED = NotProvided()


class TTLConfig(TypedDict, total=False):
    """How a store treats TTLs, in minutes.

    Example: ``SqliteStore(path, ttl={"default_ttl": 60, "refresh_on_read": True})``.
    """

    refresh_on_read: bool
    """Reads restart an item's TTL unless the call says ``refresh_ttl=False`` (default True)."""
    omit_expired: bool
    """Accepted for LangGraph programs; cairngraph never returns an expired item."""
    default_ttl: float | None
    """The TTL of a ``put`` that gives none (minutes; None keeps items forever)."""
    sweep_interval_minutes: int | None
    """How often ``start_ttl_sweeper()`` deletes expired items (default 5)."""


class IndexConfig(TypedDict, total=False):
    """Semantic search: ``{"embed": fn, "dims": 384, "fields": ["text"]}``.

    ``embed`` is a function ``list[str] -> list[list[float]]`` (plain or
    async) or an object with ``embed_documents``/``embed_query`` (a LangChain
    ``Embeddings``). ``fields`` are JSON paths into the value (``"$"``, the
    default, is the whole value; ``"a.b"``, ``"tags[*]"``, ``"{title,body}"``).
    """

    dims: int
    embed: (
        EmbeddingsLike
        | Callable[[Sequence[str]], list[list[float]]]
        | Callable[[Sequence[str]], Awaitable[list[list[float]]]]
    )
    fields: list[str] | None


def check_labels(namespace: Sequence[Any], where: str = "namespace") -> None:
    """Raise :class:`InvalidNamespaceError` for a label the stores cannot keep."""
    if not isinstance(namespace, tuple):
        raise InvalidNamespaceError(
            f"{where} {namespace!r} must be a tuple of strings, e.g. ('users', 'ann')"
        )
    for label in namespace:
        if not isinstance(label, str):
            problem = f"labels must be strings, not {type(label).__name__}"
        elif not label:
            problem = "labels cannot be empty strings"
        elif "." in label:
            problem = "labels cannot contain periods ('.')"
        elif "\x00" in label:
            problem = "labels cannot contain NUL bytes ('\\x00')"
        else:
            continue
        raise InvalidNamespaceError(
            f"invalid label {label!r} in {where} {namespace!r}: {problem}. Use another label, "
            "e.g. replace '.' with '_'."
        )


def check_namespace(namespace: Sequence[Any]) -> None:
    """A namespace to write to: valid labels, at least one, not under ``"langgraph"``."""
    check_labels(namespace)
    if not namespace:
        raise InvalidNamespaceError(
            "namespace cannot be empty: give at least one label, e.g. ('memories', user_id)"
        )
    if namespace[0] == "langgraph":
        raise InvalidNamespaceError(
            f"namespace {namespace!r}: the root label 'langgraph' is reserved; choose another"
        )


def check_op(op: object) -> Op:
    """Check one batch record's namespace; raise TypeError for what is not a record."""
    if isinstance(op, PutOp):
        if op.value is None:
            check_labels(op.namespace)
        else:
            check_namespace(op.namespace)
            if not isinstance(op.value, Mapping):
                raise TypeError(
                    f"store values are dicts; got {type(op.value).__name__} for key {op.key!r} "
                    f"in {op.namespace!r}. Wrap it: {{'value': ...}}"
                )
    elif isinstance(op, GetOp):
        check_labels(op.namespace)
    elif isinstance(op, SearchOp):
        check_labels(op.namespace_prefix, "namespace prefix")
    elif isinstance(op, ListNamespacesOp):
        for condition in op.match_conditions or ():
            check_labels(condition.path, f"{condition.match_type} pattern")
    else:
        raise TypeError(
            f"a store batch takes GetOp, PutOp, SearchOp and ListNamespacesOp; got {op!r}"
        )
    return op


class BaseStore(ABC):
    """A long-term store of dicts by namespace and key. Subclasses implement :meth:`batch`.

    Example::

        store.put(("users", "ann"), "prefs", {"theme": "dark"})
        store.get(("users", "ann"), "prefs").value          # {"theme": "dark"}
        store.search(("users",), filter={"theme": "dark"})  # [SearchItem(...)]
        store.list_namespaces(prefix=("users",))            # [("users", "ann")]
        store.delete(("users", "ann"), "prefs")
    """

    supports_ttl: bool = True
    ttl_config: TTLConfig | None = None

    __slots__ = ("__weakref__",)

    @abstractmethod
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run ``ops`` in order; one result per op (None for a put)."""

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Async :meth:`batch`; by default the sync one in a worker thread."""
        listed = list(ops)
        return await asyncio.to_thread(self.batch, listed)

    # -- building the records ----------------------------------------------------------

    def _refresh(self, refresh_ttl: bool | None) -> bool:
        if refresh_ttl is not None:
            return refresh_ttl
        return bool((self.ttl_config or {}).get("refresh_on_read", True))

    def _put_op(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None,
        ttl: float | NotProvided | None,
    ) -> PutOp:
        check_namespace(namespace)
        if isinstance(ttl, NotProvided):
            ttl = (self.ttl_config or {}).get("default_ttl")
        if ttl is not None and (
            not isinstance(ttl, int | float) or isinstance(ttl, bool) or ttl <= 0
        ):
            raise ValueError(f"ttl={ttl!r}: a TTL is a positive number of minutes, or None")
        return PutOp(namespace, str(key), value, index=index, ttl=ttl)

    def _search_op(
        self,
        namespace_prefix: tuple[str, ...],
        query: str | None,
        filter: dict[str, Any] | None,
        limit: int,
        offset: int,
        refresh_ttl: bool | None,
    ) -> SearchOp:
        check_labels(namespace_prefix, "namespace prefix")
        return SearchOp(namespace_prefix, filter, limit, offset, query, self._refresh(refresh_ttl))

    def _list_op(
        self,
        prefix: NamespacePath | None,
        suffix: NamespacePath | None,
        max_depth: int | None,
        limit: int,
        offset: int,
    ) -> ListNamespacesOp:
        conditions = []
        if prefix:
            check_labels(prefix, "prefix pattern")
            conditions.append(MatchCondition("prefix", prefix))
        if suffix:
            check_labels(suffix, "suffix pattern")
            conditions.append(MatchCondition("suffix", suffix))
        return ListNamespacesOp(tuple(conditions), max_depth, limit, offset)

    # -- sync --------------------------------------------------------------------------

    def get(
        self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None
    ) -> Item | None:
        """The item at ``namespace``/``key``, or None."""
        check_labels(namespace)
        result = self.batch([GetOp(namespace, str(key), self._refresh(refresh_ttl))])[0]
        return result if isinstance(result, Item) else None

    def search(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        """Items under ``namespace_prefix`` that match ``filter``, most similar to ``query``
        first (newest first without a query)."""
        op = self._search_op(namespace_prefix, query, filter, limit, offset, refresh_ttl)
        return self.batch([op])[0]  # type: ignore[return-value]

    def put(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        """Store ``value`` (a dict) at ``namespace``/``key``, replacing what was there."""
        self.batch([self._put_op(namespace, key, value, index, ttl)])

    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        """Delete the item at ``namespace``/``key`` (nothing happens if there is none)."""
        check_labels(namespace)
        self.batch([PutOp(namespace, str(key), None)])

    def list_namespaces(
        self,
        *,
        prefix: NamespacePath | None = None,
        suffix: NamespacePath | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """The namespaces holding items, sorted; ``"*"`` in a pattern matches any label."""
        return self.batch([self._list_op(prefix, suffix, max_depth, limit, offset)])[0]  # type: ignore[return-value]

    # -- async -------------------------------------------------------------------------

    async def aget(
        self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None
    ) -> Item | None:
        """Async :meth:`get`."""
        check_labels(namespace)
        result = (await self.abatch([GetOp(namespace, str(key), self._refresh(refresh_ttl))]))[0]
        return result if isinstance(result, Item) else None

    async def asearch(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        """Async :meth:`search`."""
        op = self._search_op(namespace_prefix, query, filter, limit, offset, refresh_ttl)
        return (await self.abatch([op]))[0]  # type: ignore[return-value]

    async def aput(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        """Async :meth:`put`."""
        await self.abatch([self._put_op(namespace, key, value, index, ttl)])

    async def adelete(self, namespace: tuple[str, ...], key: str) -> None:
        """Async :meth:`delete`."""
        check_labels(namespace)
        await self.abatch([PutOp(namespace, str(key), None)])

    async def alist_namespaces(
        self,
        *,
        prefix: NamespacePath | None = None,
        suffix: NamespacePath | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """Async :meth:`list_namespaces`."""
        op = self._list_op(prefix, suffix, max_depth, limit, offset)
        return (await self.abatch([op]))[0]  # type: ignore[return-value]
