"""``NamedBarrierValue``: available once each of a set of names has been written."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any

from cairngraph.engine.channels import MISSING, BaseChannel, NamedBarrier
from cairngraph.errors import EmptyChannelError, InvalidUpdateError

__all__ = ["NamedBarrierValue", "NamedBarrierValueAfterFinish"]


class NamedBarrierValue(NamedBarrier):
    """Available (its value is ``None``) once each of ``names`` has been written.

    Example::

        barrier = NamedBarrierValue(str, {"a", "b"})
        barrier.update(["a"]); barrier.is_available()  # False
        barrier.update(["b"]); barrier.is_available()  # True
    """

    __slots__ = ()

    def __init__(self, typ: Any, names: Set[Any] | Sequence[Any]) -> None:
        super().__init__("", names)
        self.typ = typ
        self.value = set()

    def get(self) -> Any:
        if not self.is_available():
            raise EmptyChannelError(f"channel {self.key!r} is still waiting for writes")
        return None

    def update(self, values: Sequence[Any]) -> bool:
        unknown = [value for value in values if value not in self.names]
        if unknown:
            raise InvalidUpdateError(
                f"channel {self.key!r} waits for {sorted(map(str, self.names))} and received "
                f"{unknown[0]!r}; write one of the names it waits for."
            )
        return super().update(values)


class NamedBarrierValueAfterFinish(NamedBarrierValue):
    """A :class:`NamedBarrierValue` that opens only once the run finishes.

    cairngraph's engine does not tell channels that a run is finishing yet, so a
    state key cannot be declared with it; the class works when driven directly.
    """

    __slots__ = ("finished",)

    def __init__(self, typ: Any, names: Set[Any] | Sequence[Any]) -> None:
        super().__init__(typ, names)
        self.finished = False

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        assert isinstance(clone, NamedBarrierValueAfterFinish)
        clone.finished = False
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        assert isinstance(clone, NamedBarrierValueAfterFinish)
        if stored is not MISSING:
            seen, clone.finished = stored
            clone.value = set(seen)
        return clone

    def copy(self) -> BaseChannel:
        return self.restore(self.snapshot())

    def snapshot(self) -> Any:
        return (sorted(self.value), self.finished) if self.value else MISSING

    def is_available(self) -> bool:
        return self.finished and super().is_available()

    def consume(self) -> bool:
        if not self.is_available():
            return False
        self.finished = False
        self.value = set()
        return True

    def finish(self) -> bool:
        if self.finished or not super().is_available():
            return False
        self.finished = True
        return True
