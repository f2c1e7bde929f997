"""Caches of node results, by ``(namespace, key)`` with a time to live, as LangGraph's.

Modules mirror ``langgraph.cache``: :mod:`cairngraph.cache.base` (the
contract, :class:`BaseCache`), :mod:`cairngraph.cache.memory`
(:class:`InMemoryCache`) and :mod:`cairngraph.cache.sqlite`
(:class:`SqliteCache`). Values are stored through cairngraph's safe
serializer, never pickle.

Example::

    from cairngraph.cache.sqlite import SqliteCache

    cache = SqliteCache("cache.db")
    cache.set({(("nodes", "summarize"), "input-hash"): ({"summary": "..."}, 3600)})
"""

from cairngraph.cache.base import BaseCache, FullKey, Namespace
from cairngraph.cache.memory import InMemoryCache
from cairngraph.cache.sqlite import SqliteCache

__all__ = ["BaseCache", "FullKey", "InMemoryCache", "Namespace", "SqliteCache"]
