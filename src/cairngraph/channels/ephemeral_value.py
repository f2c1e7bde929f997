"""``EphemeralValue``: a value that lasts for the one step after it was written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.channels._guard import guard_error
from cairngraph.engine.channels import MISSING, BaseChannel

__all__ = ["EphemeralValue"]


class EphemeralValue(BaseChannel):
    """A value that lasts one step: the step after the write reads it, then it is gone.

    Example::

        class State(TypedDict):
            scratch: Annotated[str, EphemeralValue(str)]
    """

    __slots__ = ("guard",)

    notify_idle = True

    def __init__(self, typ: Any = Any, guard: bool = True) -> None:
        super().__init__(typ)
        self.guard = guard

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            if self.value is MISSING:
                return False
            self.value = MISSING
            return True
        if len(values) > 1 and self.guard:
            raise guard_error("EphemeralValue", self.key, len(values))
        self.value = values[-1]
        return True
