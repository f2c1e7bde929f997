"""``StateGraph``: the builder users describe their workflow with.

The builder only records nodes, edges and branches; ``compile()`` checks the
whole graph at once (every problem in one :class:`InvalidGraphError`) and
hands it to :mod:`cairngraph.graph._compile`, which builds what the engine
runs.
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.constants import DEFAULT_ERROR_HANDLER, END, ERROR_HANDLER_PREFIX, START
from cairngraph.errors import InvalidGraphError
from cairngraph.graph._migrations import checked_migrations
from cairngraph.graph.schema import Schema, input_schema_of, schema_of
from cairngraph.types import All, CachePolicy, Durability, RetryPolicy, TimeoutPolicy
from cairngraph.typing import ContextT, InputT, OutputT, StateT

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph

__all__ = ["Branch", "CompiledStateGraph", "NodeDef", "NodeDefaults", "StateGraph"]


def __getattr__(name: str) -> Any:
    # ``from langgraph.graph.state import CompiledStateGraph`` (type hints in user code):
    # the class lives with the compiled graph, which imports this module.
    if name == "CompiledStateGraph":
        from cairngraph.graph.compiled import CompiledStateGraph

        return CompiledStateGraph
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_RESERVED = (START, END)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeDef:
    """A node as the user added it."""

    name: str
    action: Any
    input_schema: Any | None = None
    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None
    metadata: Mapping[str, Any] | None = None
    destinations: tuple[str, ...] | None = None
    """Where the node may go by ``Command(goto=...)``: ``destinations=`` or its
    ``Command[Literal[...]]`` return annotation (drawn as conditional edges)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Edge labels of ``destinations={"node": "label"}``."""
    cache_policy: CachePolicy | None = None
    defer: bool = False
    timeout: TimeoutPolicy | None = None
    error_handler: str | None = None
    """The node that runs when this one fails (``__error_handler__<name>``), if any."""
    is_error_handler: bool = False
    """This node is an error handler: nothing leads to it but a failure (or an edge)."""


@dataclass(slots=True, kw_only=True)
class NodeDefaults:
    """What ``set_node_defaults`` gave: each applies at ``compile()`` to the nodes
    without their own."""

    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None
    cache_policy: CachePolicy | None = None
    timeout: TimeoutPolicy | None = None
    error_handler: Any | None = None

    def of(self, node: NodeDef) -> NodeDef:
        """``node`` with these defaults where it has no policy of its own.

        As in LangGraph, an error handler takes the default retry policy and
        timeout but never the default cache policy or error handler: a handler
        does not catch its own failure, and its result depends on the failure.
        """
        changes: dict[str, Any] = {}
        if node.retry_policy is None and self.retry_policy is not None:
            changes["retry_policy"] = self.retry_policy
        if node.timeout is None and self.timeout is not None:
            changes["timeout"] = self.timeout
        if not node.is_error_handler:
            if node.cache_policy is None and self.cache_policy is not None:
                changes["cache_policy"] = self.cache_policy
            if node.error_handler is None and self.error_handler is not None:
                changes["error_handler"] = DEFAULT_ERROR_HANDLER
        return dataclasses.replace(node, **changes) if changes else node


@dataclass(frozen=True, slots=True, kw_only=True)
class Branch:
    """A conditional edge: ``router(state)`` names where to go next."""

    source: str
    router: Callable[..., Any]
    path_map: Mapping[Hashable, str] | None = None
    input_schema: Any | None = None
    """The schema class the router's first parameter is annotated with: it reads the
    state through it, as in LangGraph (else the source node's view)."""


@dataclass(slots=True)
class _Edges:
    plain: set[tuple[str, str]] = field(default_factory=set)
    joins: set[tuple[tuple[str, ...], str]] = field(default_factory=set)
    branches: list[Branch] = field(default_factory=list)


class StateGraph(Generic[StateT, ContextT, InputT, OutputT]):
    """A graph whose nodes read and update one shared state.

    Example::

        class State(TypedDict):
            topic: str
            joke: str

        graph = StateGraph(State)
        graph.add_node("write", lambda state: {"joke": f"A joke about {state['topic']}"})
        graph.add_edge(START, "write")
        app = graph.compile(checkpointer=InMemorySaver())

    ``version=`` and ``migrations=`` (cairngraph's, not LangGraph's) declare the
    state schema's version and how older checkpoints reach it, e.g.
    ``StateGraph(State, version=2, migrations={1: rename_title})``; see
    :mod:`cairngraph.graph._migrations`.
    """

    def __init__(
        self,
        state_schema: Any = None,
        context_schema: Any = None,
        *,
        input_schema: Any = None,
        output_schema: Any = None,
        version: int | None = None,
        migrations: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] | None = None,
        **legacy: Any,
    ) -> None:
        input_schema = input_schema or legacy.pop("input", None)
        output_schema = output_schema or legacy.pop("output", None)
        if legacy:
            raise TypeError(f"StateGraph() got unexpected arguments: {', '.join(legacy)}")
        if state_schema is None:
            state_schema = input_schema
        self.state: Schema = schema_of(state_schema)
        self.input: Schema = schema_of(input_schema) if input_schema else self.state
        self.output: Schema = schema_of(output_schema) if output_schema else self.state
        self.context_schema = context_schema
        self.migrations = checked_migrations(version, migrations)
        self.version = version
        self.nodes: dict[str, NodeDef] = {}
        self._edges = _Edges()
        self._compiled = False
        self._node_defaults = NodeDefaults()

    @property
    def edges(self) -> set[tuple[str, str]]:
        """The plain edges as ``(source, target)`` pairs."""
        return set(self._edges.plain)

    @property
    def branches(self) -> list[Branch]:
        return list(self._edges.branches)

    def _warn_if_compiled(self) -> None:
        if self._compiled:
            warnings.warn(
                "this graph was already compiled; the change applies only to graphs compiled "
                "after it. Call compile() again.",
                UserWarning,
                stacklevel=3,
            )

    def add_node(
        self,
        node: str | Callable[..., Any] | Any,
        action: Callable[..., Any] | Any | None = None,
        *,
        input_schema: Any = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: CachePolicy | None = None,
        metadata: Mapping[str, Any] | None = None,
        destinations: Sequence[str] | Mapping[str, str] | None = None,
        defer: bool = False,
        input: Any = None,
        timeout: float | timedelta | TimeoutPolicy | None = None,
        error_handler: Callable[..., Any] | Any | None = None,
    ) -> StateGraph:
        """Add a node: ``add_node("name", function)`` or ``add_node(function)``.

        ``defer=True`` delays the node until nothing else is left to run (a
        join of branches of different lengths); ``cache_policy`` reuses its
        result for the same input (``compile(cache=InMemoryCache())``);
        ``input`` is the old name of ``input_schema``. ``timeout`` caps each
        attempt of an ``async def`` node (seconds, a ``timedelta``, or a
        :class:`~cairngraph.types.TimeoutPolicy` with an ``idle_timeout``):
        past it the attempt is cancelled with ``NodeTimeoutError``, which the
        retry policy may retry. ``error_handler`` runs, in the same step, when
        the node fails for good (its retry policy gave up): it gets the node's
        input (and, as ``error: NodeError``, the failure) and its update or
        ``Command`` replaces the node's, as in LangGraph. It is the node
        ``__error_handler__<name>``.

        Example::

            graph.add_node("fetch", fetch, timeout=5.0, retry_policy=RetryPolicy())
            graph.add_node("charge", charge, error_handler=refund)
        """
        self._warn_if_compiled()
        policy = TimeoutPolicy.coerce(timeout)
        input_schema = input_schema or input
        if not isinstance(node, str):
            action, node = node, _name_of(node)
        if action is None:
            raise InvalidGraphError([f"node {node!r} has no function; pass add_node({node!r}, fn)"])
        if node in _RESERVED:
            raise InvalidGraphError([f"{node!r} is reserved; give the node another name"])
        if node in self.nodes:
            raise InvalidGraphError(
                [f"a node named {node!r} already exists; each node needs a unique name"]
            )
        if ":" in node or "|" in node:
            raise InvalidGraphError(
                [f"node name {node!r} may not contain ':' or '|' (they separate namespaces)"]
            )
        input_schema = input_schema or (
            input_schema_of(action)
            if inspect.isfunction(action) or inspect.ismethod(action)
            else None
        )
        targets = tuple(destinations) if destinations is not None else _command_targets(action)
        labels = dict(destinations) if isinstance(destinations, Mapping) else {}
        handler_name: str | None = None
        if error_handler is not None:
            _check_handler(error_handler, f"add_node({node!r}, error_handler=...)")
            handler_name = f"{ERROR_HANDLER_PREFIX}{node}"
            if handler_name in self.nodes:
                raise InvalidGraphError(
                    [
                        f"node {node!r}'s error handler runs as the node {handler_name!r}, "
                        "which already exists; rename that node"
                    ]
                )
            # Before the node, as LangGraph adds it (the order tasks and nodes are listed in).
            self.nodes[handler_name] = NodeDef(
                name=handler_name,
                action=error_handler,
                input_schema=input_schema,
                is_error_handler=True,
            )
        self.nodes[node] = NodeDef(
            name=node,
            action=action,
            input_schema=input_schema,
            retry_policy=retry_policy,
            cache_policy=cache_policy,
            metadata=metadata,
            destinations=targets,
            labels=labels,
            defer=defer,
            timeout=policy,
            error_handler=handler_name,
        )
        return self

    def set_node_defaults(
        self,
        *,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: CachePolicy | None = None,
        timeout: float | timedelta | TimeoutPolicy | None = None,
        error_handler: Callable[..., Any] | Any | None = None,
    ) -> StateGraph:
        """Policies for every node that has none of its own, applied at ``compile()``.

        A value given to ``add_node`` always wins; an argument left None keeps the
        default set before. Subgraphs do not inherit them. ``error_handler`` runs
        (as the node ``__default_error_handler__``) when a node without a handler
        of its own fails; a handler's own failure is never handled. Error handlers
        take the default ``retry_policy`` and ``timeout``, not the ``cache_policy``.

        Example::

            graph = (
                StateGraph(State)
                .set_node_defaults(retry_policy=RetryPolicy(max_attempts=3), timeout=30.0)
                .add_node("fetch", fetch)
                .add_node("summarize", summarize, timeout=120.0)   # its own timeout
            )
        """
        self._warn_if_compiled()
        defaults = self._node_defaults
        if retry_policy is not None:
            defaults.retry_policy = retry_policy
        if cache_policy is not None:
            defaults.cache_policy = cache_policy
        if timeout is not None:
            defaults.timeout = TimeoutPolicy.coerce(timeout)
        if error_handler is not None:
            _check_handler(error_handler, "set_node_defaults(error_handler=...)")
            defaults.error_handler = error_handler
        return self

    def _nodes_to_compile(self) -> dict[str, NodeDef]:
        """The nodes as ``compile()`` builds them: the defaults applied, and the default
        error handler (added last, as LangGraph adds it at compile time)."""
        defaults = self._node_defaults
        nodes = {name: defaults.of(node) for name, node in self.nodes.items()}
        if defaults.error_handler is not None:
            if DEFAULT_ERROR_HANDLER in nodes:
                raise InvalidGraphError(
                    [
                        f"set_node_defaults(error_handler=...) runs as the node "
                        f"{DEFAULT_ERROR_HANDLER!r}, which already exists; rename that node"
                    ]
                )
            nodes[DEFAULT_ERROR_HANDLER] = defaults.of(
                NodeDef(
                    name=DEFAULT_ERROR_HANDLER,
                    action=defaults.error_handler,
                    is_error_handler=True,
                )
            )
        return nodes

    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph:
        """``add_edge("a", "b")``: b runs after a; ``add_edge(["a", "b"], "c")`` waits for both."""
        self._warn_if_compiled()
        if isinstance(start_key, str):
            self._edges.plain.add((start_key, end_key))
        else:
            self._edges.joins.add((tuple(start_key), end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """After ``source``, ``path(state)`` names the next node(s), a ``Send``, or END."""
        self._warn_if_compiled()
        mapping: Mapping[Hashable, str] | None
        if path_map is None or isinstance(path_map, Mapping):
            mapping = path_map
        else:
            mapping = {name: name for name in path_map}
        schema = (
            input_schema_of(path) if inspect.isfunction(path) or inspect.ismethod(path) else None
        )
        self._edges.branches.append(
            Branch(source=source, router=path, path_map=mapping, input_schema=schema)
        )
        return self

    def add_sequence(self, nodes: Sequence[Callable[..., Any] | tuple[str, Any]]) -> StateGraph:
        """Add nodes that run one after another, in the order given."""
        previous: str | None = None
        for item in nodes:
            name, action = item if isinstance(item, tuple) else (_name_of(item), item)
            self.add_node(name, action)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    def set_entry_point(self, key: str) -> StateGraph:
        """Same as ``add_edge(START, key)``."""
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """Same as ``add_conditional_edges(START, path, path_map)``."""
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph:
        """Same as ``add_edge(key, END)``."""
        return self.add_edge(key, END)

    def validate(self, interrupt: Sequence[str] = ()) -> None:
        """Raise :class:`InvalidGraphError` listing every problem found, if any."""
        from cairngraph.graph._validate import problems

        found = problems(self, interrupt)
        if found:
            raise InvalidGraphError(found)

    def compile(
        self,
        checkpointer: BaseCheckpointSaver | bool | None = None,
        *,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        name: str | None = None,
        durability: Durability = "sync",
        strict: bool = False,
        continue_into_new_nodes: bool = True,
        debug: bool = False,
        store: Any = None,
        cache: Any = None,
    ) -> CompiledStateGraph:
        """Check the graph and build the runnable, persistent workflow.

        ``durability`` is the default for every run (``"sync"``, ``"async"``,
        ``"exit"``); ``strict`` makes an update with an unknown key an error
        instead of a warning; ``continue_into_new_nodes=False`` keeps
        LangGraph's rule that ``invoke(None)`` on a finished thread does
        nothing even when nodes were added after its last node.
        """
        from cairngraph.graph._compile import compile_graph

        before = _interrupt_names(interrupt_before)
        after = _interrupt_names(interrupt_after)
        self.validate([*before, *after])
        self._compiled = True
        return compile_graph(
            self,
            checkpointer=checkpointer,
            interrupt_before=before,
            interrupt_after=after,
            name=name or "LangGraph",
            durability=durability,
            strict=strict,
            continue_into_new_nodes=continue_into_new_nodes,
            store=store,
            cache=cache,
            debug=debug,
        )


def _check_handler(handler: Any, where: str) -> None:
    """An error handler is a function, a coroutine function or a runnable (as a node is)."""
    if callable(handler) or hasattr(handler, "invoke"):
        return
    raise InvalidGraphError(
        [
            f"{where} got {type(handler).__name__} {handler!r}, which cannot be called; pass "
            "a function taking the state (and, annotated error: NodeError, the failure)"
        ]
    )


def _interrupt_names(value: All | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if value == "*":
        return ("*",)
    return tuple(value)


def _name_of(action: Any) -> str:
    name = getattr(action, "name", None) or getattr(action, "__name__", None)
    if not isinstance(name, str) or name == "<lambda>":
        raise InvalidGraphError(
            [f"cannot name node {action!r}; pass the name first: add_node('name', fn)"]
        )
    return name


def _command_targets(action: Any) -> tuple[str, ...] | None:
    """The node names of a ``-> Command[Literal["a", "b"]]`` return annotation, if any."""
    import typing

    from cairngraph.types import Command

    function = action if inspect.isfunction(action) or inspect.ismethod(action) else None
    if function is None:
        function = getattr(action, "__call__", None)  # noqa: B004 - callables' own call
        if not (inspect.isfunction(function) or inspect.ismethod(function)):
            return None
    try:
        returned = typing.get_type_hints(function).get("return")
    except Exception:  # noqa: BLE001 - an annotation that does not resolve declares nothing
        return None
    if typing.get_origin(returned) is not Command:
        return None
    args = typing.get_args(returned)
    if not args or typing.get_origin(args[0]) is not typing.Literal:
        return None
    return tuple(str(name) for name in typing.get_args(args[0]))
