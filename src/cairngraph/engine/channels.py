"""Channels: the containers state lives in between steps.

A channel receives all writes of one step at once (``update``) and says
whether its value changed; the engine bumps the channel's version exactly
when it did. ``snapshot()`` gives what a checkpoint stores (``MISSING`` for
nothing), and ``restore`` rebuilds the channel from it.

Invariant: a channel's stored value is a pure function of its version, so
savers may store one blob per (channel, version) and share it between
checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cairngraph.errors import EmptyChannelError, InvalidUpdateError

__all__ = [
    "MISSING",
    "BinaryOperatorAggregate",
    "Channel",
    "DeferredTrigger",
    "Ephemeral",
    "LastValue",
    "NamedBarrier",
    "Topic",
    "Trigger",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The absence of a value (``None`` is a value)."""


class Channel:
    """Base class: a named holder of one value."""

    __slots__ = ("key", "value")

    def __init__(self, key: str) -> None:
        self.key = key
        self.value: Any = MISSING

    def fresh(self) -> Channel:
        """An empty copy: the graph keeps one prototype, each run gets its own copies."""
        clone = object.__new__(type(self))
        for slot in _all_slots(type(self)):
            setattr(clone, slot, getattr(self, slot))
        clone.value = MISSING
        return clone

    def restore(self, stored: Any) -> Channel:
        """A copy holding ``stored`` (what :meth:`snapshot` returned)."""
        clone = self.fresh()
        clone.value = stored
        return clone

    def snapshot(self) -> Any:
        return self.value

    def get(self) -> Any:
        if self.value is MISSING:
            raise EmptyChannelError(f"channel {self.key!r} has no value yet")
        return self.value

    def is_available(self) -> bool:
        return self.value is not MISSING

    def update(self, values: Sequence[Any]) -> bool:
        raise NotImplementedError

    def consume(self) -> bool:
        """Called after the node it triggered ran; True if the value changed."""
        return False

    def finish(self) -> bool:
        """Called when no task is left to run; True if the value changed."""
        return False


def _all_slots(cls: type) -> list[str]:
    return [slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())]


class LastValue(Channel):
    """A plain state key: one write per step, the newest value wins."""

    __slots__ = ()

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        if len(values) > 1:
            raise InvalidUpdateError(
                f"state key {self.key!r} received {len(values)} values in one step, and a plain "
                "key holds one. Give the key a reducer to combine them, e.g. "
                f"`{self.key}: Annotated[list, operator.add]`, or write it from one node only."
            )
        self.value = values[0]
        return True


class Ephemeral(LastValue):
    """Holds a value for the one step that reads it (the run's input)."""

    __slots__ = ()

    def consume(self) -> bool:
        if self.value is MISSING:
            return False
        self.value = MISSING
        return True


class BinaryOperatorAggregate(Channel):
    """A key with a reducer: ``Annotated[list, operator.add]`` folds every write in.

    ``appended`` is set when the last update only appended to a list (the old
    items are the same objects, in order): savers then store only the tail.
    """

    __slots__ = ("appended", "reducer", "start")

    def __init__(self, key: str, reducer: Callable[[Any, Any], Any], start: Any = MISSING) -> None:
        super().__init__(key)
        self.reducer = reducer
        self.start = start
        self.appended: int | None = None

    def fresh(self) -> Channel:
        clone = super().fresh()
        assert isinstance(clone, BinaryOperatorAggregate)
        clone.value = self.start() if callable(self.start) else MISSING
        clone.appended = None
        return clone

    def restore(self, stored: Any) -> Channel:
        clone = self.fresh()
        if stored is not MISSING:
            clone.value = stored
        return clone

    def update(self, values: Sequence[Any]) -> bool:
        self.appended = None
        if not values:
            return False
        old = self.value
        current = values[0] if old is MISSING else self.reducer(old, values[0])
        for value in values[1:]:
            current = self.reducer(current, value)
        self.value = current
        if (
            type(old) is list
            and type(current) is list
            and len(current) >= len(old)
            and all(a is b for a, b in zip(old, current, strict=False))
        ):
            self.appended = len(old)
        return True


class Trigger(Channel):
    """Starts a node: only its version matters, so it stores nothing."""

    __slots__ = ()

    def snapshot(self) -> Any:
        return MISSING

    def is_available(self) -> bool:
        return True

    def update(self, values: Sequence[Any]) -> bool:
        return bool(values)


class NamedBarrier(Channel):
    """The join of ``add_edge([a, b], c)``: available once every source has written."""

    __slots__ = ("names",)

    def __init__(self, key: str, names: Sequence[str]) -> None:
        super().__init__(key)
        self.names = frozenset(names)

    def fresh(self) -> Channel:
        clone = super().fresh()
        clone.value = set()
        return clone

    def restore(self, stored: Any) -> Channel:
        clone = self.fresh()
        clone.value = set(stored) if stored is not MISSING else set()
        return clone

    def snapshot(self) -> Any:
        return sorted(self.value) if self.value else MISSING

    def is_available(self) -> bool:
        return bool(self.value) and self.value >= self.names

    def update(self, values: Sequence[Any]) -> bool:
        new = {value for value in values if value in self.names} - self.value
        self.value |= new
        return bool(new)

    def consume(self) -> bool:
        if self.is_available():
            self.value = set()
            return True
        return False


class Topic(Channel):
    """Collects the ``Send`` packets of a step; the next step consumes them all."""

    __slots__ = ()

    def fresh(self) -> Channel:
        clone = super().fresh()
        clone.value = []
        return clone

    def restore(self, stored: Any) -> Channel:
        clone = self.fresh()
        clone.value = list(stored) if stored is not MISSING else []
        return clone

    def snapshot(self) -> Any:
        return list(self.value) if self.value else MISSING

    def is_available(self) -> bool:
        return bool(self.value)

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.value = [*self.value, *values]
        return True

    def consume(self) -> bool:
        if self.value:
            self.value = []
            return True
        return False


class DeferredTrigger(Channel):
    """Starts a ``defer=True`` node, but only once nothing else is left to run.

    Written like a :class:`Trigger`; it becomes available when the engine
    calls :meth:`finish` (no other task is pending), and resets when the node
    has run. Its stored value says which of the two it is waiting for.
    """

    __slots__ = ()

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.value = "written"
        return True

    def is_available(self) -> bool:
        return bool(self.value == "finished")

    def finish(self) -> bool:
        if self.value == "written":
            self.value = "finished"
            return True
        return False

    def consume(self) -> bool:
        if self.value == "finished":
            self.value = MISSING
            return True
        return False
