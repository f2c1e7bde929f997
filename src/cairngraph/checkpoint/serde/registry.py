"""The explicit list of types a serializer may rebuild when loading.

Stored data names its types (``module.qualname``); loading looks the name up
here and nowhere else. Nothing is imported because stored data named it, so
a checkpoint can never make the process import or construct a class the
application did not allow.

``register()`` takes classes or typing annotations and walks them, so
``register(State)`` allows every dataclass, pydantic model, NamedTuple and
Enum that appears anywhere in the state schema's field types.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import typing
from collections.abc import Iterator
from typing import Any, Literal

__all__ = ["Kind", "TypeRegistry", "type_name"]

Kind = Literal["dataclass", "pydantic", "namedtuple", "enum"]


def type_name(cls: type) -> str:
    """The stable name a type is stored under."""
    return f"{cls.__module__}.{cls.__qualname__}"


def kind_of(cls: Any) -> Kind | None:
    """How a class is stored, or None when it is not a storable class."""
    if not isinstance(cls, type):
        return None
    if issubclass(cls, enum.Enum):
        return "enum"
    if dataclasses.is_dataclass(cls):
        return "dataclass"
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return "namedtuple"
    if hasattr(cls, "model_fields") and hasattr(cls, "model_construct"):
        return "pydantic"
    return None


class TypeRegistry:
    """Name → class for every type a serializer may build; thread-safe.

    Example::

        registry = TypeRegistry()
        registry.register(MyState)          # walks the fields' types too
        registry.lookup("app.models.Order") # -> Order, or None
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._types: dict[str, type] = {}
        self._kinds: dict[type, Kind] = {}

    def register(self, *items: Any) -> None:
        """Allow each class found in ``items`` (classes or annotations, walked)."""
        found: dict[type, Kind] = {}
        for item in items:
            self._walk(item, found, set())
        with self._lock:
            for cls, kind in found.items():
                self._types[type_name(cls)] = cls
                self._kinds[cls] = kind

    def lookup(self, name: str) -> type | None:
        return self._types.get(name)

    def kind(self, cls: type) -> Kind | None:
        """The kind of a *registered* class (exact type, not subclasses)."""
        return self._kinds.get(cls)

    def names(self) -> list[str]:
        return sorted(self._types)

    def _walk(self, item: Any, found: dict[type, Kind], seen: set[int]) -> None:
        if id(item) in seen:
            return
        seen.add(id(item))
        for arg in _annotation_args(item):
            self._walk(arg, found, seen)
        kind = kind_of(item)
        if kind is not None:
            found[item] = kind
        if isinstance(item, type) and (kind is not None or typing.is_typeddict(item)):
            for hint in _field_hints(item):
                self._walk(hint, found, seen)


def _annotation_args(item: Any) -> Iterator[Any]:
    """The types inside ``list[X]``, ``X | None``, ``Annotated[X, ...]``, ``dict[K, V]``."""
    if typing.get_origin(item) is typing.Annotated:
        yield item.__origin__
        return
    if typing.get_origin(item) is Literal:
        return
    yield from typing.get_args(item)


def _field_hints(cls: type) -> list[Any]:
    if hasattr(cls, "model_fields") and not dataclasses.is_dataclass(cls):
        return [field.annotation for field in cls.model_fields.values()]
    try:
        return list(typing.get_type_hints(cls, include_extras=True).values())
    except (NameError, TypeError):
        return list(getattr(cls, "__annotations__", {}).values())
