"""From a checked ``StateGraph`` to the :class:`GraphSpec` the engine runs.

Channels: one per state key, a trigger per node (``branch:to:<node>``), a
barrier per join, the input channel (``__start__``) and the ``Send`` topic.
Each node's writer turns what the node returned into state updates plus the
writes that start its successors: plain edges, joins, routers (evaluated on
the state with the node's own update applied) and ``Command(goto=...)``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cairngraph.constants import END, START, TASKS, branch_channel, join_channel
from cairngraph.engine.algo import GraphSpec, NodeSpec, ReadFresh, Writes
from cairngraph.engine.channels import Channel, Ephemeral, NamedBarrier, Sends, Trigger
from cairngraph.errors import InvalidUpdateError, UnknownKeyWarning
from cairngraph.graph.schema import ROOT, Schema, schema_of
from cairngraph.types import Command, RetryPolicy, Send

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph
    from cairngraph.graph.state import Branch, StateGraph

__all__ = ["compile_graph"]


def compile_graph(graph: StateGraph, **options: Any) -> CompiledStateGraph:
    from cairngraph.graph.compiled import CompiledStateGraph

    spec = build_spec(graph, strict=options["strict"])
    return CompiledStateGraph(builder=graph, spec=spec, **options)


def build_spec(graph: StateGraph, *, strict: bool) -> GraphSpec:
    channels: dict[str, Channel] = {}
    for schema in (graph.state, graph.input, graph.output):
        for key, proto in schema.channels.items():
            channels.setdefault(key, proto)
    state_keys = tuple(channels)
    channels[START] = Ephemeral(START)
    channels[TASKS] = Sends(TASKS)
    for name in graph.nodes:
        channels[branch_channel(name)] = Trigger(branch_channel(name))
    edges = graph._edges
    for sources, target in edges.joins:
        key = join_channel(sources, target)
        channels[key] = NamedBarrier(key, sources)
    outgoing = _outgoing(graph)
    nodes: dict[str, NodeSpec] = {}
    nodes[START] = _start_node(graph, outgoing, state_keys, strict)
    for name, node in graph.nodes.items():
        triggers = [branch_channel(name)]
        triggers += [join_channel(s, t) for s, t in sorted(edges.joins) if t == name]
        reader = schema_of(node.input_schema) if node.input_schema else graph.state
        nodes[name] = _node(
            graph, name, node.action, tuple(triggers), reader, outgoing, strict, node.retry_policy
        )
    trigger_to_nodes: dict[str, list[str]] = {}
    for spec in nodes.values():
        for trigger in spec.triggers:
            trigger_to_nodes.setdefault(trigger, []).append(spec.name)
    output_schema = graph.output
    return GraphSpec(
        nodes=nodes,
        channels=channels,
        state_keys=state_keys,
        output=lambda chans: _values(output_schema, chans),
        values=lambda chans: _values(graph.state, chans, state_keys),
        trigger_to_nodes={key: tuple(names) for key, names in trigger_to_nodes.items()},
        continuations={
            name: tuple(branch_channel(t) for s, t in edges.plain if s == name and t != END)
            for name in graph.nodes
        },
    )


def _values(schema: Schema, channels: Mapping[str, Channel], keys: tuple[str, ...] = ()) -> Any:
    return schema.values(channels, keys)


class _Outgoing:
    """Where a node's output goes: static writes, then routers."""

    __slots__ = ("branches", "static")

    def __init__(self) -> None:
        self.static: list[tuple[str, Any]] = []
        self.branches: list[Branch] = []


def _outgoing(graph: StateGraph) -> dict[str, _Outgoing]:
    found: dict[str, _Outgoing] = {name: _Outgoing() for name in (START, *graph.nodes)}
    for source, target in sorted(graph._edges.plain):
        if target != END:
            found[source].static.append((branch_channel(target), None))
    for sources, target in sorted(graph._edges.joins):
        for source in sources:
            found[source].static.append((join_channel(sources, target), source))
    for branch in graph._edges.branches:
        found[branch.source].branches.append(branch)
    return found


def _start_node(
    graph: StateGraph, outgoing: dict[str, _Outgoing], state_keys: tuple[str, ...], strict: bool
) -> NodeSpec:
    write = _writer(graph, START, graph.input, outgoing[START], strict, is_input=True)
    return NodeSpec(
        name=START,
        triggers=(START,),
        run=_identity,
        arun=None,
        read=lambda channels: channels[START].value,
        write=write,
        hidden=True,
    )


def _identity(value: Any, config: Any) -> Any:
    return value


def _node(
    graph: StateGraph,
    name: str,
    action: Any,
    triggers: tuple[str, ...],
    reader: Schema,
    outgoing: dict[str, _Outgoing],
    strict: bool,
    retry: RetryPolicy | Any,
) -> NodeSpec:
    run, arun, subgraph = _callables(action)
    policy = retry[0] if isinstance(retry, list | tuple) and retry else retry
    return NodeSpec(
        name=name,
        triggers=triggers,
        run=run,
        arun=arun,
        read=reader.build,
        write=_writer(graph, name, graph.state, outgoing[name], strict),
        retry=policy if isinstance(policy, RetryPolicy) else None,
        subgraph=subgraph,
    )


def _callables(action: Any) -> tuple[Any, Any, Any]:
    """``(run, arun, subgraph)`` for a function, a coroutine function, or a runnable."""
    from cairngraph.graph.compiled import CompiledStateGraph

    if isinstance(action, CompiledStateGraph):
        return action.invoke, action.ainvoke, action
    if hasattr(action, "invoke") and not inspect.isroutine(action):
        return action.invoke, getattr(action, "ainvoke", None), None
    target = action.__call__ if not inspect.isroutine(action) else action
    if inspect.iscoroutinefunction(target):
        return None, _bind_config(action), None
    return _bind_config(action), None, None


def _bind_config(function: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """Call ``function(state)`` or ``function(state, config)``, as its signature asks."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    wants_config = any(p.name == "config" for p in parameters[1:]) or (
        len(
            [
                p
                for p in parameters
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        )
        >= 2
    )
    if wants_config:
        return function
    return lambda state, config: function(state)


def _writer(
    graph: StateGraph,
    name: str,
    schema: Schema,
    outgoing: _Outgoing,
    strict: bool,
    *,
    is_input: bool = False,
) -> Callable[[Any, ReadFresh], Writes]:
    keys = (
        frozenset(schema.keys)
        if is_input
        else frozenset(graph.state.channels)
        | frozenset(graph.output.channels)
        | frozenset(graph.input.channels)
    )
    static = outgoing.static
    branches = outgoing.branches
    nodes = graph.nodes
    what = "the input" if is_input else f"node {name!r}"
    root = graph.state.kind == "root"
    # Routers after START read the state (the input applied), not the raw input.
    router_reader = graph.state.build if is_input else None

    def updates_of(output: Any) -> Writes:
        if output is None:
            return []
        if root:
            return [(ROOT, output)]
        if isinstance(output, dict):
            items = output.items()
        else:
            fields = graph.state.fields_of(output) if not isinstance(output, Command) else None
            if fields is None:
                raise InvalidUpdateError(
                    f"{what} returned {type(output).__name__} {_short(output)}; "
                    + (
                        "the input must be a dict of state keys, e.g. {'topic': 'cats'}."
                        if is_input
                        else "a node must return a dict of state updates (e.g. {'key': value}), "
                        "a Command, or None."
                    )
                )
            items = fields.items()
        writes: Writes = []
        for key, value in items:
            if key in keys:
                writes.append((key, value))
            else:
                _unknown(what, key, strict, keys)
        return writes

    def write(output: Any, read_fresh: ReadFresh) -> Writes:
        goto: Any = ()
        if isinstance(output, Command):
            if output.graph == Command.PARENT:
                raise InvalidUpdateError(
                    f"node {name!r} returned Command(graph=Command.PARENT), which cairngraph "
                    "does not support yet; return the update to the subgraph's own state."
                )
            update = output.update
            if isinstance(update, list | tuple):
                update = dict(update)
            writes = updates_of(update)
            goto = output.goto
        else:
            writes = updates_of(output)
        writes.extend(static)
        for branch in branches:
            state = read_fresh(writes, router_reader)
            writes.extend(_route(name, branch, _call_router(branch.router, state), nodes))
        if goto:
            targets = goto if isinstance(goto, list | tuple) else [goto]
            writes.extend(_targets(name, targets, nodes, None))
        return writes

    write.updates_of = updates_of  # type: ignore[attr-defined]
    return write


def _call_router(router: Callable[..., Any], state: Any) -> Any:
    return router(state)


def _route(name: str, branch: Branch, result: Any, nodes: Mapping[str, Any]) -> Writes:
    values = result if isinstance(result, list | tuple) else [result]
    return _targets(name, values, nodes, branch.path_map)


def _targets(
    name: str, values: Any, nodes: Mapping[str, Any], path_map: Mapping[Any, str] | None
) -> Writes:
    writes: Writes = []
    for value in values:
        if isinstance(value, Send):
            if value.node not in nodes:
                raise InvalidUpdateError(
                    f"node {name!r} sent to unknown node {value.node!r}; known nodes: "
                    f"{', '.join(nodes)}"
                )
            writes.append((TASKS, value))
            continue
        target = value
        if path_map is not None:
            if value not in path_map:
                raise InvalidUpdateError(
                    f"the router after {name!r} returned {value!r}, which its path map does not "
                    f"list (keys: {', '.join(map(repr, path_map))}); add it to the path map."
                )
            target = path_map[value]
        if target == END:
            continue
        if target not in nodes:
            raise InvalidUpdateError(
                f"the route after {name!r} goes to unknown node {target!r}; known nodes: "
                f"{', '.join(nodes)}. Return one of them or END."
            )
        writes.append((branch_channel(target), None))
    return writes


def _unknown(what: str, key: str, strict: bool, keys: frozenset[str]) -> None:
    message = (
        f"{what} wrote key {key!r}, which the state schema does not have "
        f"(keys: {', '.join(sorted(keys))}); the value is dropped. Add {key!r} to the schema, "
        "or compile(strict=True) to make this an error."
    )
    if strict:
        raise InvalidUpdateError(
            message.replace("the value is dropped. ", "").replace(
                ", or compile(strict=True) to make this an error", ""
            )
        )
    warnings.warn(message, UnknownKeyWarning, stacklevel=2)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
