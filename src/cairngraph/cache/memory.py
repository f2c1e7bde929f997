"""A cache in the process's memory, for tests and single-process programs.

Invariants: entries are kept serialized (a cached value cannot be changed
through a reference the caller kept), every operation holds one lock, and
nothing outlives the object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar

from cairngraph.cache.base import BaseCache, FullKey, Namespace, Stored, ValueT
from cairngraph.checkpoint.serde.base import SerializerProtocol

__all__ = ["InMemoryCache"]


class InMemoryCache(BaseCache[ValueT]):
    """Entries in a dict, per namespace; thread-safe.

    Example::

        cache = InMemoryCache()
        graph = builder.compile(cache=cache)   # nodes with a cache_policy use it
        cache.set({(("ns",), "k"): ("value", None)})
        cache.get([(("ns",), "k")])            # {(("ns",), "k"): "value"}
    """

    blocking: ClassVar[bool] = False

    def __init__(
        self,
        *,
        serde: SerializerProtocol | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(serde=serde, clock=clock)
        self._lock = threading.Lock()
        self._entries: dict[Namespace, dict[str, Stored]] = {}

    def _read(self, keys: list[FullKey], now: float) -> dict[FullKey, Stored]:
        found: dict[FullKey, Stored] = {}
        with self._lock:
            for namespace, key in keys:
                entries = self._entries.get(namespace, {})
                stored = entries.get(key)
                if stored is None:
                    continue
                if stored.live(now):
                    found[(namespace, key)] = stored
                else:
                    del entries[key]
        return found

    def _write(self, entries: dict[FullKey, Stored]) -> None:
        with self._lock:
            for (namespace, key), stored in entries.items():
                self._entries.setdefault(namespace, {})[key] = stored

    def _remove(self, namespaces: list[Namespace] | None) -> None:
        with self._lock:
            if namespaces is None:
                self._entries.clear()
                return
            for namespace in namespaces:
                self._entries.pop(namespace, None)
