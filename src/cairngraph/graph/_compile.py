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
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from cairngraph.constants import END, START, TASKS, branch_channel, join_channel
from cairngraph.engine._cache import NodeCache, cache_namespace
from cairngraph.engine._context import maybe_current_task, updating_config
from cairngraph.engine._trace import route_traced
from cairngraph.engine.algo import GraphSpec, NodeSpec, Reader, ReadFresh, Writes
from cairngraph.engine.channels import (
    Channel,
    DeferredTrigger,
    Ephemeral,
    Managed,
    NamedBarrier,
    Sends,
    Trigger,
)
from cairngraph.errors import (
    InvalidConfigError,
    InvalidUpdateError,
    ParentCommand,
    UnknownKeyWarning,
)
from cairngraph.graph._bind import Injector, bind, callables
from cairngraph.graph._migrations import versioning_of
from cairngraph.graph.schema import ROOT, Schema, schema_of
from cairngraph.types import CachePolicy, Command, RetryPolicy, Send, TimeoutPolicy

if TYPE_CHECKING:
    from cairngraph.graph.compiled import CompiledStateGraph
    from cairngraph.graph.state import Branch, StateGraph

__all__ = ["NodeWriter", "compile_graph"]


def private_keys(graph: StateGraph) -> frozenset[str]:
    """Keys that only some node's (or router's) own input schema declares."""
    return frozenset(key for schema in _readers(graph) for key in schema.channels)


def _readers(graph: StateGraph) -> list[Schema]:
    """The nodes' and routers' own input schemas, in the order they were added."""
    found = [schema_of(n.input_schema) for n in graph.nodes.values() if n.input_schema]
    found += [schema_of(b.input_schema) for b in graph._edges.branches if b.input_schema]
    return found


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
    # A node's own input schema may read keys the state does not have: they get
    # channels too (written by other nodes, saved, never part of the output).
    readers = _readers(graph)
    for schema in readers:
        for key, proto in schema.channels.items():
            channels.setdefault(key, proto)
    # What ``values`` shows (stream chunks, get_state): those keys too, as LangGraph does.
    value_keys = tuple(channels)
    managed: dict[str, Any] = {}
    for schema in (graph.state, graph.input, *readers):
        managed.update(schema.managed)
    for key in managed:
        channels.setdefault(key, Managed(key))
    channels[START] = Ephemeral(START)
    channels[TASKS] = Sends(TASKS)
    defs = graph._nodes_to_compile()
    for name, node in defs.items():
        kind: type[Channel] = DeferredTrigger if node.defer else Trigger
        channels[branch_channel(name)] = kind(branch_channel(name))
    edges = graph._edges
    for sources, target in edges.joins:
        key = join_channel(sources, target)
        channels[key] = NamedBarrier(key, sources)
    outgoing = _outgoing(graph, defs)
    nodes: dict[str, NodeSpec] = {}
    nodes[START] = _start_node(graph, outgoing, state_keys, strict)
    built: dict[str, NodeSpec] = {}
    # Handlers first: a node's spec holds its handler's.
    for name in sorted(defs, key=lambda name: not defs[name].is_error_handler):
        node = defs[name]
        triggers = [branch_channel(name)]
        triggers += [join_channel(s, t) for s, t in sorted(edges.joins) if t == name]
        reader = schema_of(node.input_schema) if node.input_schema else graph.state
        built[name] = _node(
            graph,
            name,
            node.action,
            tuple(triggers),
            reader,
            outgoing,
            strict,
            node.retry_policy,
            node.cache_policy,
            node.timeout,
            built.get(node.error_handler) if node.error_handler else None,
        )
    nodes.update((name, built[name]) for name in defs)
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
        values=lambda chans: _values(graph.state, chans, value_keys),
        value_keys=value_keys,
        output_keys=(ROOT,) if output_schema.kind == "root" else output_schema.keys,
        trigger_to_nodes={key: tuple(names) for key, names in trigger_to_nodes.items()},
        managed=managed,
        deferred=tuple(branch_channel(name) for name, node in defs.items() if node.defer),
        continuations={
            name: tuple(branch_channel(t) for s, t in edges.plain if s == name and t != END)
            for name in defs
        },
        versioning=versioning_of(graph, channels),
        handles_errors=any(node.error_handler is not None for node in defs.values()),
    )


def _values(schema: Schema, channels: Mapping[str, Channel], keys: tuple[str, ...] = ()) -> Any:
    return schema.values(channels, keys)


class _Outgoing:
    """Where a node's output goes: static writes, then routers."""

    __slots__ = ("branches", "static")

    def __init__(self) -> None:
        self.static: list[tuple[str, Any]] = []
        self.branches: list[Branch] = []


def _outgoing(graph: StateGraph, defs: Mapping[str, Any]) -> dict[str, _Outgoing]:
    found: dict[str, _Outgoing] = {name: _Outgoing() for name in (START, *defs)}
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
        traced=bool(write.routers),
    )


def _identity(value: Any, task: Any) -> Any:
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
    cache_policy: CachePolicy | None = None,
    timeout: TimeoutPolicy | None = None,
    error_handler: NodeSpec | None = None,
) -> NodeSpec:
    run, arun, subgraph = callables(action)
    if subgraph is not None:
        # A subgraph's output has its own keys too; the parent takes only its own.
        keys = frozenset(graph.state.channels) | frozenset(graph.output.channels)
        run, arun = _keeping(keys, run), _akeeping(keys, arun)
    else:
        subgraph = _called_subgraph(action)
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
        cache=None
        if cache_policy is None
        else NodeCache(cache_policy, cache_namespace(action, name)),
        timeout=timeout,
        error_handler=error_handler,
    )


def _keeping(keys: frozenset[str], call: Any) -> Any:
    if call is None:
        return None
    return lambda state, task: _only_keys(keys, call(state, task))


def _akeeping(keys: frozenset[str], call: Any) -> Any:
    """``_keeping`` for an ``arun``: it returns an awaitable whatever its kind (a
    subgraph's ``arun`` is a plain function returning ``ainvoke``'s coroutine,
    which a check for coroutine functions would miss)."""
    if call is None:
        return None

    async def akeep(state: Any, task: Any) -> Any:
        return _only_keys(keys, await call(state, task))

    return akeep


def _only_keys(keys: frozenset[str], output: Any) -> Any:
    if isinstance(output, dict):
        return {key: value for key, value in output.items() if key in keys}
    return output


def _called_subgraph(action: Any) -> Any:
    """A compiled graph a node function calls (found among the names it uses), if one.

    ``get_state(subgraphs=True)`` shows such a subgraph's state as LangGraph does.
    """
    from cairngraph.graph.compiled import CompiledStateGraph

    function = action if inspect.isfunction(action) else getattr(action, "__func__", None)
    if function is None:
        return None
    try:
        names = inspect.getclosurevars(function)
    except (TypeError, ValueError):
        return None
    for value in (*names.nonlocals.values(), *names.globals.values()):
        if isinstance(value, CompiledStateGraph):
            return value
    return None


def _writer(
    graph: StateGraph,
    name: str,
    schema: Schema,
    outgoing: _Outgoing,
    strict: bool,
    *,
    is_input: bool = False,
) -> NodeWriter:
    keys = (
        frozenset(schema.keys)
        if is_input
        else frozenset(graph.state.channels)
        | frozenset(graph.output.channels)
        | frozenset(graph.input.channels)
        | private_keys(graph)
    )
    return NodeWriter(
        graph=graph,
        name=name,
        keys=keys,
        static=tuple(outgoing.static),
        branches=tuple(outgoing.branches),
        strict=strict,
        is_input=is_input,
        root=graph.state.kind == "root",
        # Routers after START read the state (the input applied), not the raw input.
        router_reader=graph.state.build if is_input else None,
    )


class NodeWriter:
    """Turns what a node returned into channel writes: state updates, then where to go."""

    __slots__ = (
        "branches",
        "graph",
        "is_input",
        "keys",
        "name",
        "nodes",
        "root",
        "router_reader",
        "routers",
        "static",
        "strict",
    )

    def __init__(
        self,
        *,
        graph: StateGraph,
        name: str,
        keys: frozenset[str],
        static: tuple[tuple[str, Any], ...],
        branches: tuple[Branch, ...],
        strict: bool,
        is_input: bool,
        root: bool,
        router_reader: Reader | None,
    ) -> None:
        self.root = root
        self.router_reader = router_reader
        self.graph = graph
        self.name = name
        self.keys = keys
        self.static = static
        self.branches = branches
        # A router takes ``config``, ``writer``, ``store``, ``runtime`` as a node does.
        self.routers = tuple(
            (
                branch,
                bind(branch.router),
                schema_of(branch.input_schema).build if branch.input_schema else router_reader,
            )
            for branch in branches
        )
        self.strict = strict
        self.is_input = is_input
        self.nodes = graph.nodes

    @property
    def what(self) -> str:
        return "the input" if self.is_input else f"node {self.name!r}"

    def updates_of(self, output: Any) -> Writes:
        """The state writes of ``output`` (a dict, a schema instance, or None)."""
        if output is None:
            return []
        if self.root:
            return [(ROOT, output)]
        if isinstance(output, dict):
            items = output.items()
        else:
            fields = self.graph.state.fields_of(output) if not isinstance(output, Command) else None
            if fields is None:
                raise InvalidUpdateError(
                    f"{self.what} returned {type(output).__name__} {_short(output)}; "
                    + (
                        "the input must be a dict of state keys, e.g. {'topic': 'cats'}."
                        if self.is_input
                        else "a node must return a dict of state updates (e.g. {'key': value}), "
                        "a Command, or None."
                    )
                )
            items = fields.items()
        writes: Writes = []
        keys = self.keys
        for key, value in items:
            if key in keys:
                writes.append((key, value))
            else:
                _unknown(self.what, key, self.strict, keys)
        return writes

    def command_writes(self, command: Command[Any]) -> Writes:
        """The writes of a Command's ``update`` and ``goto`` (no edges, no routers)."""
        update = command.update
        if isinstance(update, list | tuple):
            # ``[(key, value), ...]``: every pair is a write, a key may come twice.
            writes = [write for pair in update for write in self.updates_of(self._pair(pair))]
        else:
            writes = self.updates_of(update)
        goto = command.goto
        if goto:
            targets = goto if isinstance(goto, list | tuple) else [goto]
            writes.extend(_targets(self.name, targets, self.nodes, None))
        return writes

    def _pair(self, pair: Any) -> dict[str, Any]:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidUpdateError(
                f"{self.what} returned Command(update=[...]) with item {_short(pair)}; a list "
                "update holds (key, value) pairs, e.g. Command(update=[('notes', ['a'])])."
            )
        return {pair[0]: pair[1]}

    def __call__(self, output: Any, read_fresh: ReadFresh) -> Writes:
        if isinstance(output, Command):
            if output.graph == Command.PARENT:
                raise ParentCommand(output)
            writes = self.command_writes(output)
        elif is_command_list(output):
            writes = self.command_list_writes(output)
        else:
            writes = self.updates_of(output)
        writes.extend(self.static)
        if self.routers:
            task = maybe_current_task()
            # LangGraph numbers a node's parts: its function, its writes, its routers.
            position = 2 if self.is_input else 3
            for branch, route, reader in self.routers:
                state = read_fresh(writes, reader)
                if task is None:
                    result = route(state, _NOT_IN_A_RUN)
                elif task.trace is None:
                    result = route(state, task)
                else:
                    result = route_traced(
                        task, position, _run_name(branch.router), state, partial(route, state, task)
                    )
                position += 1
                writes.extend(_route(self.name, branch, result, self.nodes))
        return writes

    def command_list_writes(self, outputs: list[Any] | tuple[Any, ...]) -> Writes:
        """The writes of a list of Commands and updates (``ToolNode`` returns one), in order.

        A ``Command(graph=Command.PARENT)`` in the list goes to the parent graph
        once this graph's own writes are known, as LangGraph does.
        """
        writes: Writes = []
        parent: Command[Any] | None = None
        for item in outputs:
            if isinstance(item, Command):
                if item.graph == Command.PARENT:
                    parent = item
                    continue
                writes.extend(self.command_writes(item))
            else:
                writes.extend(self.updates_of(item))
        if parent is not None:
            raise ParentCommand(parent)
        return writes


def is_command_list(output: Any) -> bool:
    """Whether a node returned a list mixing Commands and updates (``ToolNode`` does)."""
    return (
        isinstance(output, list | tuple)
        and bool(output)
        and any(isinstance(item, Command) for item in output)
    )


class _NotInARun:
    """What a router that takes ``config`` or ``runtime`` gets outside a running task
    (``update_state(as_node=...)`` runs the node's routers): the config given to
    ``update_state``, as LangGraph passes it, and a clear error for the run's
    services, as LangGraph raises there."""

    def node_config(self) -> Any:
        return updating_config() or {"configurable": {}, "metadata": {}}

    @property
    def node_error(self) -> Any:
        return None

    @property
    def runtime(self) -> Any:
        raise InvalidConfigError(
            "a conditional edge's function asked for the runtime (or writer, or store) "
            "while update_state() ran it; these exist only while the graph runs. Take "
            "only the state (and config) in routers that update_state(as_node=...) runs."
        )


_NOT_IN_A_RUN: Injector = _NotInARun()


def _run_name(router: Any) -> str | None:
    """A router's run name, as LangGraph gives it (a lambda has none)."""
    name = getattr(router, "__name__", None)
    return None if name == "<lambda>" else name


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
