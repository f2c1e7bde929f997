"""Which items a filter keeps and which namespaces a listing shows: the same on every store.

Values are sealed (checksummed or encrypted) in the persistent stores, so
filters run here, in Python, on decoded values, never in SQL.

Invariants:

- A filter ``{"k": v}`` keeps an item whose value at ``k`` equals ``v``; ``v``
  may be a dict of operators (``$eq``, ``$ne``, ``$gt``, ``$gte``, ``$lt``,
  ``$lte``), a dict of nested fields, or a list compared item by item. A key
  with dots (``"author.name"``) reads a nested field unless the value has
  that exact key. An unknown operator raises :class:`FilterError`, as does
  ordering a value against one of another kind (``"a" > 1``).
- Namespace patterns match label by label; ``"*"`` matches any one label.
  Listings are sorted as tuples, de-duplicated after cutting to
  ``max_depth``, then paged with ``offset``/``limit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cairngraph.errors import CairnGraphError
from cairngraph.store.base import ListNamespacesOp, MatchCondition

__all__ = [
    "FilterError",
    "list_namespaces",
    "literal_prefix",
    "matches",
    "namespace_matches",
    "window",
]

_MISSING = object()


class FilterError(CairnGraphError, ValueError):
    """A search ``filter`` the store cannot apply; the message names the key and operator."""


def matches(value: Mapping[str, Any], filter: Mapping[str, Any] | None) -> bool:
    """Whether ``value`` passes every condition of ``filter``."""
    if not filter:
        return True
    return all(_compare(_lookup(value, key), wanted, key) for key, wanted in filter.items())


def _lookup(value: Mapping[str, Any], key: str) -> Any:
    if key in value:
        return value[key]
    if "." not in key:
        return _MISSING
    found: Any = value
    for part in key.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return _MISSING
        found = found[part]
    return found


def _compare(found: Any, wanted: Any, key: str) -> bool:
    if isinstance(wanted, Mapping):
        if any(str(name).startswith("$") for name in wanted):
            return all(_apply(found, name, operand, key) for name, operand in wanted.items())
        if not isinstance(found, Mapping):
            return False
        return all(
            _compare(found.get(name, _MISSING), inner, f"{key}.{name}")
            for name, inner in wanted.items()
        )
    if isinstance(wanted, list | tuple):
        return (
            isinstance(found, list | tuple)
            and len(found) == len(wanted)
            and all(_compare(a, b, key) for a, b in zip(found, wanted, strict=True))
        )
    if found is _MISSING:
        return wanted is None
    return bool(found == wanted)


_ORDER = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}


def _apply(found: Any, operator: str, operand: Any, key: str) -> bool:
    present = None if found is _MISSING else found
    if operator == "$eq":
        return bool(present == operand)
    if operator == "$ne":
        return bool(present != operand)
    compare = _ORDER.get(operator)
    if compare is None:
        raise FilterError(
            f"filter on {key!r}: unknown operator {operator!r}; use $eq, $ne, $gt, $gte, $lt "
            "or $lte"
        )
    if present is None:
        return False
    if _number(present) and _number(operand):
        return bool(compare(float(present), float(operand)))
    if isinstance(present, str) and isinstance(operand, str):
        return bool(compare(present, operand))
    if _number(operand) and isinstance(present, str):
        return False  # a text field never orders against a number
    raise FilterError(
        f"filter on {key!r}: {operator} compares numbers with numbers or text with text; "
        f"got {type(operand).__name__} {operand!r}"
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    """Whether ``namespace`` starts (or ends) with ``condition.path``; ``"*"`` is any label."""
    path = condition.path
    if len(namespace) < len(path):
        return False
    labels = namespace[: len(path)] if condition.match_type == "prefix" else namespace[-len(path) :]
    if not path:
        return True
    return all(want == "*" or want == label for want, label in zip(path, labels, strict=True))


def list_namespaces(op: ListNamespacesOp, namespaces: Iterable[tuple[str, ...]]) -> list[Any]:
    """The page of namespaces ``op`` asks for, out of every namespace holding an item."""
    conditions = op.match_conditions or ()
    kept = {
        namespace if op.max_depth is None else namespace[: op.max_depth]
        for namespace in namespaces
        if all(namespace_matches(condition, namespace) for condition in conditions)
    }
    return window(sorted(kept), op.offset, op.limit)


def window(rows: list[Any], offset: int, limit: int) -> list[Any]:
    """``rows[offset:offset + limit]``, refusing negative bounds (they would count from the end)."""
    if offset < 0 or limit < 0:
        raise ValueError(f"offset={offset}, limit={limit}: both must be zero or more")
    return rows[offset : offset + limit]


def literal_prefix(path: tuple[str, ...]) -> tuple[str, ...]:
    """The labels of a prefix pattern before its first ``"*"``: what SQL can narrow on."""
    for at, label in enumerate(path):
        if label == "*":
            return path[:at]
    return path
