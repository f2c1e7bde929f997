"""Node caching: where a task's writes are cached, and under which key.

A node compiled with a :class:`~cairngraph.types.CachePolicy` caches what it
wrote under ``(namespace, key)``, laid out as LangGraph lays it out so that
``clear_cache()`` finds the same entries:

- namespace ``("__pregel_ns_writes", "<module>.<qualname>", node)`` (the
  function's identifier, ``"__dynamic__"`` when it has none, see
  :func:`identifier`);
- key: the 128-bit hex digest of ``key_func(input)`` (by default a stable
  encoding of the input: mappings compared by content, not key order).

Invariants: only a task that finished (no error, no interrupt) is cached; a
hit never calls the node, and what it reports is what the first run wrote.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ormsgpack

from cairngraph.cache.base import FullKey, Namespace
from cairngraph.types import CachePolicy

__all__ = ["CACHE_NS_WRITES", "NodeCache", "cache_namespace", "default_key", "identifier"]

CACHE_NS_WRITES = "__pregel_ns_writes"


@dataclass(frozen=True, slots=True)
class NodeCache:
    """A node's cache policy and the namespace its entries live in."""

    policy: CachePolicy
    namespace: Namespace

    def key(self, input: Any) -> FullKey:
        """The full key of this node's entry for ``input``."""
        make = self.policy.key_func or default_key
        raw = make(input)
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        return (self.namespace, hashlib.blake2b(data, digest_size=16).hexdigest())


def identifier(action: Any) -> str | None:
    """``"<module>.<qualname>"`` of a node's plain function, or None when it has none.

    As in LangGraph, a coroutine function, a callable object, a partial or a
    subgraph has none (its entries live under ``"__dynamic__"``).
    """
    if inspect.iscoroutinefunction(action):
        return None
    name = getattr(action, "__qualname__", None) or getattr(action, "__name__", None)
    module = getattr(action, "__module__", None)
    if not isinstance(name, str) or not isinstance(module, str):
        return None
    return f"{module}.{name}"


def cache_namespace(action: Any, node: str) -> Namespace:
    """The namespace of ``node``'s cached writes (what ``clear_cache`` removes)."""
    return (CACHE_NS_WRITES, identifier(action) or "__dynamic__", node)


def default_key(input: Any) -> bytes:
    """A stable encoding of a node's input: equal inputs give equal bytes.

    msgpack of the input with mappings sorted; dataclasses and pydantic models
    by their fields, other objects by their class and attributes (their repr
    when they have none). Only hashed: never stored, never decoded.
    """
    canonical = _canonical(input, 12)
    return ormsgpack.packb(
        canonical,
        default=_object_state,
        option=ormsgpack.OPT_SERIALIZE_PYDANTIC | ormsgpack.OPT_NON_STR_KEYS,
    )


def _object_state(value: Any) -> Any:
    kind = type(value)
    state = getattr(value, "__dict__", None)
    if state is None and hasattr(kind, "__slots__"):
        state = {name: getattr(value, name, None) for name in kind.__slots__}
    described = _canonical(state, 12) if state else repr(value)
    return [kind.__module__, kind.__qualname__, described]


def _canonical(value: Any, depth: int) -> Any:
    if depth <= 0:
        return value
    if isinstance(value, Mapping):
        items = [(_canonical(k, depth - 1), _canonical(v, depth - 1)) for k, v in value.items()]
        return ("__mapping__", tuple(sorted(items, key=lambda item: repr(item[0]))))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_canonical(item, depth - 1) for item in value))
    return value
