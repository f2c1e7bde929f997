"""``AnyValue``: several writes in one step are fine, the last one wins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.engine.channels import MISSING, BaseChannel

__all__ = ["AnyValue"]


class AnyValue(BaseChannel):
    """Takes several writes in one step (the last wins); empties after a step that wrote nothing.

    Meant for keys every writer sets to the same value. Example::

        class State(TypedDict):
            done: Annotated[bool, AnyValue(bool)]
    """

    __slots__ = ()

    notify_idle = True

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            if self.value is MISSING:
                return False
            self.value = MISSING
            return True
        self.value = values[-1]
        return True
