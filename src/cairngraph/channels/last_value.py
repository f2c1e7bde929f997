"""``LastValue`` (a plain state key, the engine's own class) and ``LastValueAfterFinish``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.engine.channels import MISSING, BaseChannel, LastValue
from cairngraph.errors import EmptyChannelError

__all__ = ["LastValue", "LastValueAfterFinish"]


class LastValueAfterFinish(BaseChannel):
    """The last value written, readable only once the run finishes (LangGraph's deferred nodes).

    cairngraph's engine does not tell channels that a run is finishing yet, so a
    state key cannot be declared with it (``StateGraph`` says so); the class
    works when driven directly::

        channel = LastValueAfterFinish(int)
        channel.update([1]); channel.is_available()  # False
        channel.finish(); channel.get()  # 1
    """

    __slots__ = ("finished",)

    def __init__(self, typ: Any = Any, key: str = "") -> None:
        super().__init__(typ, key)
        self.finished = False

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        assert isinstance(clone, LastValueAfterFinish)
        clone.finished = False
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        assert isinstance(clone, LastValueAfterFinish)
        if stored is not MISSING:
            clone.value, clone.finished = stored
        return clone

    def copy(self) -> BaseChannel:
        clone = self.restore(self.snapshot())
        return clone

    def snapshot(self) -> Any:
        return MISSING if self.value is MISSING else (self.value, self.finished)

    def get(self) -> Any:
        if not self.is_available():
            raise EmptyChannelError(f"channel {self.key!r} has no finished value yet")
        return self.value

    def is_available(self) -> bool:
        return self.finished and self.value is not MISSING

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.finished = False
        self.value = values[-1]
        return True

    def consume(self) -> bool:
        if not self.finished:
            return False
        self.finished = False
        self.value = MISSING
        return True

    def finish(self) -> bool:
        if self.finished or self.value is MISSING:
            return False
        self.finished = True
        return True
