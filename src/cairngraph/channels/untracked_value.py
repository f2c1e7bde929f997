"""``UntrackedValue``: a value the run keeps in memory and never saves in a checkpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.channels._guard import guard_error
from cairngraph.engine.channels import MISSING, BaseChannel

__all__ = ["UntrackedValue"]


class UntrackedValue(BaseChannel):
    """A value the run keeps in memory but never saves in a checkpoint.

    A run resumed from a checkpoint starts without it. Example::

        class State(TypedDict):
            client: Annotated[object, UntrackedValue(object)]
    """

    __slots__ = ("guard",)

    def __init__(self, typ: Any = Any, guard: bool = True) -> None:
        super().__init__(typ)
        self.guard = guard

    def snapshot(self) -> Any:
        return MISSING

    def restore(self, stored: Any) -> BaseChannel:
        return self.fresh()

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        if len(values) > 1 and self.guard:
            raise guard_error("UntrackedValue", self.key, len(values))
        self.value = values[-1]
        return True
