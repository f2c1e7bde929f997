"""Managed values: state keys the engine fills in for each step, never saved.

Declare one in the state schema; nodes read it like any key, and it never
appears in the saved state or in ``invoke``'s output.

- ``RemainingSteps``: how many steps the run may still take before
  ``recursion_limit`` stops it.
- ``IsLastStep``: True in the last step the recursion limit allows.

Example::

    class State(TypedDict):
        messages: Annotated[list, add_messages]
        remaining_steps: RemainingSteps

    def agent(state: State) -> dict:
        if state["remaining_steps"] < 2:
            return {"messages": [AIMessage("I ran out of steps.")]}
        ...
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

__all__ = [
    "IsLastStep",
    "IsLastStepManager",
    "ManagedValue",
    "RemainingSteps",
    "RemainingStepsManager",
]


class ManagedValue:
    """A value the engine computes for each step from where the run is."""

    @staticmethod
    def get(step: int, stop: int) -> Any:
        """The value for a task of step ``step`` of a run that must end before ``stop``."""
        raise NotImplementedError


class RemainingStepsManager(ManagedValue):
    @staticmethod
    def get(step: int, stop: int) -> int:
        return stop - step


class IsLastStepManager(ManagedValue):
    @staticmethod
    def get(step: int, stop: int) -> bool:
        return step == stop - 1


RemainingSteps = Annotated[int, RemainingStepsManager]
IsLastStep = Annotated[bool, IsLastStepManager]


def managed_of(annotation: Any) -> type[ManagedValue] | None:
    """The manager an ``Annotated[T, Manager]`` annotation names, if any.

    ``NotRequired[...]``/``Required[...]`` around it are looked through
    (``remaining_steps: NotRequired[RemainingSteps]``, as in agent states).
    """
    if typing.get_origin(annotation) in (typing.NotRequired, typing.Required):
        annotation = typing.get_args(annotation)[0]
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, type) and issubclass(meta, ManagedValue):
            return meta
    return None
