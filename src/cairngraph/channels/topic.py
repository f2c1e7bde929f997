"""``Topic``: every write of a step, collected into a list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from cairngraph.engine.channels import MISSING, BaseChannel
from cairngraph.errors import EmptyChannelError

__all__ = ["Topic"]


def _flatten(values: Sequence[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from value
        else:
            yield value


class Topic(BaseChannel):
    """Collects every write of a step into a list (a written list adds its items).

    With ``accumulate=False`` (the default) the list holds the previous step's
    writes only; with ``accumulate=True`` it keeps growing. Example::

        class State(TypedDict):
            events: Annotated[list[str], Topic(str, accumulate=True)]
    """

    __slots__ = ("accumulate",)

    notify_idle = True

    def __init__(self, typ: Any = Any, accumulate: bool = False) -> None:
        super().__init__(typ)
        self.accumulate = accumulate
        self.value = []

    @property
    def ValueType(self) -> Any:
        return Sequence[self.typ]  # type: ignore[name-defined]

    @property
    def UpdateType(self) -> Any:
        return self.typ | list[self.typ]  # type: ignore[name-defined]

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        clone.value = []
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        if stored is not MISSING:
            clone.value = list(stored)
        return clone

    def copy(self) -> BaseChannel:
        clone = self.fresh()
        clone.value = list(self.value)
        return clone

    def snapshot(self) -> Any:
        return list(self.value) if self.value else MISSING

    def checkpoint(self) -> Any:
        # LangGraph's form: the list, empty included (checkpoints store nothing for it).
        return list(self.value)

    def get(self) -> Any:
        if not self.value:
            raise EmptyChannelError(f"channel {self.key!r} has no value yet")
        return list(self.value)

    def is_available(self) -> bool:
        return bool(self.value)

    def update(self, values: Sequence[Any]) -> bool:
        kept = self.value if self.accumulate else []
        updated = bool(self.value) and not self.accumulate
        added = list(_flatten(values))
        if added:
            self.value = [*kept, *added]
            return True
        self.value = kept
        return updated
