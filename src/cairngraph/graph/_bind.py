"""How a node's function is called: which of ``config``, ``writer``, ``store``,
``runtime`` (and, annotated ``NodeError``, ``error``) it takes, decided once at
``add_node`` time.

LangGraph injects those by parameter name; so does this module. The result
is always ``call(state, task)`` with ``task`` the running
:class:`~cairngraph.engine._context.TaskContext`, and the plain case (a node
taking only its state) costs one extra call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from cairngraph.constants import START

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph

__all__ = ["Injector", "NodeCall", "bind", "callables"]


class Injector(Protocol):
    """What ``bind``'s calls read the injected values from (a running task's context)."""

    def node_config(self) -> Any: ...

    @property
    def runtime(self) -> Any: ...

    @property
    def node_error(self) -> Any: ...


NodeCall = Callable[[Any, Injector], Any]

_INJECTED = ("config", "writer", "store", "runtime")


def _config(task: Injector) -> Any:
    return task.node_config()


def _writer(task: Injector) -> Any:
    return task.runtime.stream_writer


def _store(task: Injector) -> Any:
    return task.runtime.store


def _runtime(task: Injector) -> Any:
    return task.runtime


def _error(task: Injector) -> Any:
    return task.node_error


_PROVIDERS: dict[str, Callable[[Injector], Any]] = {
    "config": _config,
    "writer": _writer,
    "store": _store,
    "runtime": _runtime,
    "error": _error,
}

_NODE_ERROR = ("NodeError", "cairngraph.errors.NodeError")


def _wanted(function: Callable[..., Any]) -> tuple[bool, tuple[str, ...]]:
    """``(config_positionally, keyword names to inject)`` for ``function``."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False, ()
    keywords = tuple(
        p.name
        for p in parameters[1:]
        if (p.name in _INJECTED or (p.name == "error" and _is_node_error(p.annotation)))
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    # ``def node(state, cfg)``: a second required positional parameter gets the config.
    positional = len(required) >= 2 and required[1].name not in (*_INJECTED, *keywords)
    return positional, keywords


def _is_node_error(annotation: Any) -> bool:
    """``error: NodeError`` (the class, or its name as a string annotation) asks for the
    failure an error handler handles, as in LangGraph; any other ``error`` is left alone."""
    from cairngraph.errors import NodeError

    return annotation is NodeError or annotation in _NODE_ERROR


def bind(function: Callable[..., Any]) -> NodeCall:
    """``call(state, task)`` for ``function``, passing what its signature asks for."""
    positional, keywords = _wanted(function)
    if positional and not keywords:
        return lambda state, task: function(state, task.node_config())
    if not keywords:
        return lambda state, task: function(state)
    providers = tuple((name, _PROVIDERS[name]) for name in keywords)
    if positional:
        return lambda state, task: function(
            state, task.node_config(), **{name: get(task) for name, get in providers}
        )
    return lambda state, task: function(state, **{name: get(task) for name, get in providers})


def _input_of(graph: CompiledStateGraph) -> Callable[[Any], Any]:
    """The parent's state cut down to the keys a subgraph's input schema has.

    A subgraph added as a node gets the parent's whole state, which usually
    has keys the subgraph does not know. LangGraph drops them silently; here
    they would reach the subgraph's input check and warn (or, compiled with
    ``strict=True``, raise) although nobody made a mistake.
    """
    from cairngraph.graph._compile import NodeWriter

    writer = graph.spec.nodes[START].write
    if not isinstance(writer, NodeWriter) or writer.root:
        return _same
    keys = writer.keys
    return lambda state: (
        {key: value for key, value in state.items() if key in keys}
        if isinstance(state, dict)
        else state
    )


def _same(state: Any) -> Any:
    return state


def callables(action: Any) -> tuple[NodeCall | None, NodeCall | None, Any]:
    """``(run, arun, subgraph)`` for a function, a coroutine function, or a runnable."""
    from cairngraph.graph.compiled import CompiledStateGraph

    if isinstance(action, CompiledStateGraph):
        graph = action
        narrow = _input_of(graph)
        return (
            lambda state, task: graph.invoke(narrow(state), task.node_config()),
            lambda state, task: graph.ainvoke(narrow(state), task.node_config()),
            graph,
        )
    if hasattr(action, "invoke") and not inspect.isroutine(action):
        runnable = action
        ainvoke = getattr(runnable, "ainvoke", None)
        return (
            lambda state, task: runnable.invoke(state, task.node_config()),
            None if ainvoke is None else (lambda state, task: ainvoke(state, task.node_config())),
            None,
        )
    target = action.__call__ if not inspect.isroutine(action) else action
    if inspect.iscoroutinefunction(target):
        return None, bind(action), None
    return bind(action), None, None
