"""The cache contract: values by ``(namespace, key)``, each with an optional time to live.

The engine caches a node's writes under a key made from its input; this
module only says how any cache stores and finds them. Every operation is
written once, here; a backend supplies three storage steps (:meth:`BaseCache._read`,
:meth:`BaseCache._write`, :meth:`BaseCache._remove`) and nothing else.

Invariants:

- Values go through the cache's serializer (by default a
  :class:`~cairngraph.checkpoint.serde.MsgpackSerializer`, so the same
  registry rules as checkpoints; never pickle). What ``get`` returns is a
  fresh copy: changing it, or the value given to ``set``, changes nothing
  cached.
- ``ttl`` is in seconds; None keeps the entry until it is cleared. An entry
  is a hit while ``now < stored_at + ttl`` and a miss from then on (a ttl of
  0 is never a hit); backends drop expired entries when they meet them.
  ``now`` is the cache's ``clock`` (wall-clock ``time.time`` by default, so
  expiry times stored in a file mean the same after a restart).
- ``set`` checks every key and ttl and serializes every value before
  writing anything: a bad entry raises and nothing of that call is stored.
- ``clear(namespaces)`` removes exactly those namespaces (not their
  sub-namespaces); ``clear()`` removes everything.
- The async methods run the sync ones in a worker thread (``blocking =
  False`` backends, which never wait on I/O, run them directly), so there is
  one body per operation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidCacheEntryError

__all__ = ["BaseCache", "FullKey", "Namespace", "Stored", "ValueT"]

ValueT = TypeVar("ValueT")
_R = TypeVar("_R")

Namespace = tuple[str, ...]
"""Where a key lives, e.g. ``("__pregel_ns_writes", "summarize")``."""

FullKey = tuple[Namespace, str]
"""``(namespace, key)``: what a cached value is stored under."""


@dataclasses.dataclass(frozen=True, slots=True)
class Stored:
    """One cached value as a backend keeps it: serialized, with its expiry time."""

    type_tag: str
    payload: bytes
    expires_at: float | None
    """``clock()`` seconds after which the entry is a miss; None = never."""

    def live(self, now: float) -> bool:
        """Whether the entry is still a hit at ``now``."""
        return self.expires_at is None or now < self.expires_at


class BaseCache(ABC, Generic[ValueT]):
    """A cache of values by ``(namespace, key)``, each with an optional ttl in seconds.

    Example::

        from cairngraph.cache.memory import InMemoryCache

        cache = InMemoryCache()
        key = (("summaries",), "doc-42")
        cache.set({key: ({"summary": "short"}, 60)})   # kept for 60 s; None = forever
        cache.get([key])          # {(("summaries",), "doc-42"): {"summary": "short"}}
        cache.clear([("summaries",)])                   # or cache.clear() for everything
        await cache.aget([key])   # {} — async twins: aget, aset, aclear

    A new backend subclasses this and implements only ``_read``, ``_write``
    and ``_remove``; keys, ttls and serialization are handled here.
    """

    blocking: ClassVar[bool] = True
    """Whether operations may wait on I/O (then the async methods use a worker thread)."""

    def __init__(
        self,
        *,
        serde: SerializerProtocol | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if serde is None:
            from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer

            serde = MsgpackSerializer()
        self.serde = serde
        self.clock = clock if clock is not None else time.time

    # -- the operations, written once ----------------------------------------

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        """The cached values of the ``keys`` that are hits; misses are left out."""
        wanted = list(dict.fromkeys(_full_key(key) for key in keys))
        if not wanted:
            return {}
        found = self._read(wanted, self.clock())
        return {key: self.serde.loads_typed((s.type_tag, s.payload)) for key, s in found.items()}

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, float | None]]) -> None:
        """Store each ``key: (value, ttl)``; ttl in seconds, None = until cleared."""
        now = self.clock()
        entries: dict[FullKey, Stored] = {}
        for key, pair in pairs.items():
            full = _full_key(key)
            value, ttl = _value_and_ttl(full, pair)
            tag, payload = self.serde.dumps_typed(value)
            entries[full] = Stored(tag, bytes(payload), _expires_at(full, ttl, now))
        if entries:
            self._write(entries)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """Remove the entries of exactly these namespaces, or of every namespace when None."""
        if namespaces is None:
            self._remove(None)
            return
        one = isinstance(namespaces, str | tuple) and all(isinstance(p, str) for p in namespaces)
        if namespaces and one:
            raise InvalidCacheEntryError(
                f"clear() takes a list of namespaces, not one namespace {namespaces!r}: "
                f"write clear([{namespaces!r}])"
            )
        chosen = list(dict.fromkeys(_namespace(ns) for ns in namespaces))
        if chosen:
            self._remove(chosen)

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        """:meth:`get`, awaitable."""
        return await self._off_loop(self.get, keys)

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, float | None]]) -> None:
        """:meth:`set`, awaitable."""
        await self._off_loop(self.set, pairs)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """:meth:`clear`, awaitable."""
        await self._off_loop(self.clear, namespaces)

    async def _off_loop(self, operation: Callable[[Any], _R], argument: Any) -> _R:
        if self.blocking:
            return await asyncio.to_thread(operation, argument)
        return operation(argument)

    # -- what a backend supplies --------------------------------------------

    @abstractmethod
    def _read(self, keys: list[FullKey], now: float) -> dict[FullKey, Stored]:
        """The entries of ``keys`` that are live at ``now``; drop the expired ones met."""

    @abstractmethod
    def _write(self, entries: dict[FullKey, Stored]) -> None:
        """Store every entry, replacing what is there, all or nothing."""

    @abstractmethod
    def _remove(self, namespaces: list[Namespace] | None) -> None:
        """Delete every entry of these namespaces, or every entry when None."""


def _namespace(namespace: Any) -> Namespace:
    if isinstance(namespace, tuple | list) and all(isinstance(p, str) for p in namespace):
        return tuple(namespace)
    raise InvalidCacheEntryError(
        f"cache namespace {namespace!r} must be a tuple of strings, e.g. ('summaries',)"
    )


def _full_key(key: Any) -> FullKey:
    if isinstance(key, tuple | list) and len(key) == 2 and isinstance(key[1], str):
        return (_namespace(key[0]), key[1])
    raise InvalidCacheEntryError(
        f"cache key {key!r} must be (namespace, key): a tuple of strings and a string, "
        "e.g. (('summaries',), 'doc-42')"
    )


def _value_and_ttl(key: FullKey, pair: Any) -> tuple[Any, Any]:
    if isinstance(pair, tuple) and len(pair) == 2:
        return pair[0], pair[1]
    raise InvalidCacheEntryError(
        f"cache entry for {key!r} must be (value, ttl), e.g. (result, 60) or (result, None); "
        f"got {pair!r:.80}"
    )


def _expires_at(key: FullKey, ttl: Any, now: float) -> float | None:
    if ttl is None:
        return None
    valid = isinstance(ttl, int | float) and not isinstance(ttl, bool)
    if not valid or not math.isfinite(ttl) or ttl < 0:
        raise InvalidCacheEntryError(
            f"ttl {ttl!r} for cache key {key!r} must be None (keep until cleared) or a "
            "number of seconds, zero or more"
        )
    return now + float(ttl)
