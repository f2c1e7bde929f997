"""Type variables of the generic graph classes, at LangGraph's import path.

``StateGraph[State, Context, Input, Output]`` and
``CompiledStateGraph[State, Context, Input, Output]`` take them; each has a
default (``Input``/``Output`` the state), so ``StateGraph[State]`` is a whole type.

Example::

    from cairngraph.graph import StateGraph
    from cairngraph.graph.state import CompiledStateGraph

    def build() -> CompiledStateGraph[State, None, State, State]:
        return StateGraph(State).add_node(...).compile()
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypeVar

__all__ = [
    "ContextT",
    "ContextT_contra",
    "InputT",
    "NodeInputT",
    "NodeInputT_contra",
    "OutputT",
    "StateT",
    "StateT_co",
    "StateT_contra",
]

StateT = TypeVar("StateT", default=Any)
"""The graph's state schema (a TypedDict, dataclass or pydantic model)."""
StateT_co = TypeVar("StateT_co", covariant=True, default=Any)
StateT_contra = TypeVar("StateT_contra", contravariant=True, default=Any)
ContextT = TypeVar("ContextT", default=Any)
"""The run's context schema (``context_schema=``), None for a graph without one
(unsaid: any, where LangGraph's default is None)."""
ContextT_contra = TypeVar("ContextT_contra", contravariant=True, default=Any)
InputT = TypeVar("InputT", default=StateT)
"""What ``invoke`` takes: the input schema, the state's by default."""
OutputT = TypeVar("OutputT", default=StateT)
"""What ``invoke`` returns: the output schema, the state's by default."""
NodeInputT = TypeVar("NodeInputT", default=Any)
"""What a node is called with."""
NodeInputT_contra = TypeVar("NodeInputT_contra", contravariant=True, default=Any)
