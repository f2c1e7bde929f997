"""``DeltaChannel``: a reducer that receives each step's writes as one list.

LangGraph (where it is in beta) stores such a channel as the history of its
writes. cairngraph stores the folded value, whose list appends its savers
already write as deltas; the values nodes see are the same.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from cairngraph.engine.channels import MISSING, BaseChannel, start_factory
from cairngraph.errors import InvalidUpdateError
from cairngraph.types import overwritten

__all__ = ["DeltaChannel"]


class DeltaChannel(BaseChannel):
    """``reducer(state, [write, ...]) -> new state``, called once per step with that step's writes.

    Example::

        def extend(items: list[str], batch: list[str]) -> list[str]:
            return [*items, *batch]

        class State(TypedDict):
            log: Annotated[list[str], DeltaChannel(extend)]
    """

    __slots__ = ("reducer", "snapshot_frequency", "start")

    def __init__(
        self,
        reducer: Callable[[Any, Sequence[Any]], Any],
        typ: Any = None,
        *,
        snapshot_frequency: int = 100,
    ) -> None:
        if snapshot_frequency <= 0:
            raise ValueError(f"snapshot_frequency must be a positive int, got {snapshot_frequency}")
        super().__init__(list if typ is None else typ)
        self.reducer = reducer
        self.snapshot_frequency = snapshot_frequency
        self.start = start_factory(self.typ)

    def for_annotation(self, inner: Any) -> BaseChannel:
        return DeltaChannel(self.reducer, inner, snapshot_frequency=self.snapshot_frequency)

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        if stored is not MISSING:
            clone.value = stored
        return clone

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        replacements = [found for found in map(overwritten, values) if found[0]]
        if len(replacements) > 1:
            raise InvalidUpdateError(
                f"state key {self.key!r} received {len(replacements)} Overwrite values in one "
                "step; it can take one Overwrite a step. Overwrite it from one node only."
            )
        if replacements:
            # As LangGraph's: the Overwrite alone sets the value (a copy; None: empty).
            replacement = replacements[0][1]
            self.value = copy.copy(replacement) if replacement is not None else self._empty()
            return True
        base = self.value
        if base is MISSING:
            base = self._empty()
        self.value = self.reducer(base, list(values))
        return True

    def _empty(self) -> Any:
        return self.start() if self.start is not MISSING else self.typ()
