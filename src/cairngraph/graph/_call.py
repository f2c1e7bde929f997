"""How one ``invoke``/``stream`` call wants its run, and a run ready to drive.

:class:`Call` is parsed once from a call's arguments (stream modes, print
modes, output keys, breakpoints, durability, context) and then formats every
event the run yields; :class:`Prepared` is what ``CompiledStateGraph``
hands a driver; :class:`ThreadHold` is the thread a run holds for its length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.engine._stream import ChunkSink
from cairngraph.engine.drivers import TaskRunner
from cairngraph.engine.effects import Emit
from cairngraph.engine.loop import RunOptions, RunOutcome
from cairngraph.errors import GraphInterrupt, InvalidConfigError
from cairngraph.types import All, Durability, GraphOutput, Interrupt, StreamPart

__all__ = [
    "DURABILITIES",
    "VERSIONS",
    "Call",
    "Prepared",
    "ThreadHold",
    "ahold",
    "hold",
    "schema_class",
]

DURABILITIES = ("sync", "async", "exit")
VERSIONS = ("v1", "v2")
_MODES = ("values", "updates", "debug", "custom", "messages", "checkpoints", "tasks", "tools")

_BOLD = "\033[1m"
_RESET = "\033[0m"


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """How one ``invoke``/``stream`` call wants its run: parsed once from its arguments."""

    modes: tuple[str, ...]
    streamed: frozenset[str]
    single: bool
    subgraphs: bool
    print_modes: frozenset[str]
    output_keys: str | tuple[str, ...] | None
    interrupt_before: All | Sequence[str] | None
    interrupt_after: All | Sequence[str] | None
    durability: Durability | None
    context: Any
    version: str = "v1"
    """``"v2"``: every chunk a :class:`~cairngraph.types.StreamPart`, ``invoke`` a
    :class:`~cairngraph.types.GraphOutput`, values as the schema's class."""
    classes: tuple[type | None, type | None] = (None, None)
    """The output and state schemas' classes when they are dataclasses or pydantic
    models (what version 2 builds values as), else None."""

    @classmethod
    def of(
        cls,
        stream_mode: str | Sequence[str] | None,
        print_mode: str | Sequence[str],
        output_keys: str | Sequence[str] | None,
        interrupt_before: All | Sequence[str] | None,
        interrupt_after: All | Sequence[str] | None,
        durability: Durability | None,
        checkpoint_during: bool | None,
        context: Any,
        subgraphs: bool,
        debug: bool,
        version: str = "v1",
        classes: tuple[type | None, type | None] = (None, None),
    ) -> Call:
        if version not in VERSIONS:
            raise InvalidConfigError(
                f"version={version!r} is not a stream version; use 'v1' (the default) or 'v2'"
            )
        if checkpoint_during is not None:
            if durability is not None:
                raise InvalidConfigError(
                    "pass durability= or the deprecated checkpoint_during=, not both; "
                    "use durability='async' (or 'exit')"
                )
            durability = "async" if checkpoint_during else "exit"
        if durability is not None and durability not in DURABILITIES:
            raise InvalidConfigError(
                f"durability={durability!r} is not one of {', '.join(DURABILITIES)}"
            )
        single = stream_mode is None or isinstance(stream_mode, str)
        if stream_mode is None:
            modes: tuple[str, ...] = ("updates",)
        elif isinstance(stream_mode, str):
            modes = (stream_mode,)
        else:
            modes = tuple(stream_mode)
        printed = (print_mode,) if isinstance(print_mode, str) else tuple(print_mode)
        if debug:
            printed = (*printed, "updates", "values")
        for mode in (*modes, *printed):
            if mode not in _MODES:
                raise InvalidConfigError(
                    f"stream_mode {mode!r} is not a stream mode; use one of {', '.join(_MODES)}"
                )
        keys = (
            output_keys
            if output_keys is None or isinstance(output_keys, str)
            else tuple(output_keys)
        )
        return cls(
            modes=tuple(dict.fromkeys((*modes, *printed))),
            streamed=frozenset(modes),
            single=single,
            subgraphs=subgraphs,
            print_modes=frozenset(printed),
            output_keys=keys,
            interrupt_before=interrupt_before,
            interrupt_after=interrupt_after,
            durability=durability,
            context=context,
            version=version,
            classes=classes,
        )

    def wants(self, event: Emit) -> bool:
        """Print ``event`` if asked to; whether the caller streams it."""
        self.print(event)
        return event.mode in self.streamed

    def print(self, event: Emit) -> None:
        if event.mode in self.print_modes:
            where = f" [graph={event.namespace}]" if self.subgraphs and event.namespace else ""
            print(f"{_BOLD}[{event.mode}]{_RESET}{where} {self._select(event)!r}")

    def _select(self, event: Emit) -> Any:
        if event.mode == "values" and self.output_keys is not None:
            return _only(event.chunk, self.output_keys)
        return event.chunk

    def format(self, event: Emit, home: tuple[str, ...] = ()) -> Any:
        """``event`` as the stream yields it; ``home``: the namespace of the run streamed
        (a subgraph's, streamed in a node), before the event's own, as LangGraph shows it."""
        chunk = self._select(event)
        namespace = (*home, *event.namespace) if home else event.namespace
        if self.version == "v2":
            return self._part(event.mode, namespace, chunk)
        if self.subgraphs:
            return (namespace, chunk) if self.single else (namespace, event.mode, chunk)
        return chunk if self.single else (event.mode, chunk)

    def _part(self, mode: str, namespace: tuple[str, ...], chunk: Any) -> StreamPart:
        output_class, state_class = self.classes
        if mode == "values":
            interrupts: tuple[Interrupt, ...] = ()
            if isinstance(chunk, dict):
                if "__interrupt__" in chunk:
                    chunk = dict(chunk)
                    interrupts = tuple(chunk.pop("__interrupt__"))
                if output_class is not None:
                    chunk = output_class(**chunk)
            return {"type": "values", "ns": namespace, "data": chunk, "interrupts": interrupts}
        if state_class is not None and mode in ("checkpoints", "debug"):
            chunk = _with_state_class(chunk, state_class)
        return {"type": mode, "ns": namespace, "data": chunk}  # type: ignore[typeddict-item]

    def output(self, outcome: RunOutcome, *, nested: bool) -> Any:
        output = outcome.output
        if outcome.paused and nested:
            raise GraphInterrupt(outcome.interrupts)
        if self.version == "v2":
            if self.output_keys is not None:
                output = _only(output, self.output_keys)
            output_class = self.classes[0]
            if output_class is not None and isinstance(output, dict):
                output = output_class(**output)
            return GraphOutput(value=output, interrupts=tuple(outcome.interrupts))
        if outcome.interrupts:
            # As LangGraph: a result that is not a dict (None, a root value) gives way.
            interrupts = list(outcome.interrupts)
            output = (
                {**output, "__interrupt__": interrupts}
                if isinstance(output, dict)
                else {"__interrupt__": interrupts}
            )
        if self.output_keys is not None:
            return _only(output, self.output_keys)
        return output


def _with_state_class(chunk: Any, cls: type) -> Any:
    """A checkpoint (or debug checkpoint) payload whose values are ``cls``, as LangGraph's
    version 2 gives them; not the first checkpoint of a run, whose state is still empty."""
    if not isinstance(chunk, dict):
        return chunk
    if chunk.get("type") == "checkpoint" and isinstance(chunk.get("payload"), dict):
        return {**chunk, "payload": _with_state_class(chunk["payload"], cls)}
    values = chunk.get("values")
    if isinstance(values, dict) and "__start__" not in chunk.get("next", ()):
        return {**chunk, "values": cls(**values)}
    return chunk


def schema_class(cls: Any) -> type | None:
    """``cls`` when version 2 builds values as it (a dataclass or pydantic model), else None."""
    if isinstance(cls, type) and (dataclasses.is_dataclass(cls) or hasattr(cls, "model_fields")):
        return cls
    return None


def _only(values: Any, keys: str | tuple[str, ...]) -> Any:
    if not isinstance(values, dict):
        return values
    if isinstance(keys, str):
        return values.get(keys)
    return {key: values[key] for key in (*keys, "__interrupt__") if key in values}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run ready to drive: its options, input, saver, task runner and lock."""

    opts: RunOptions
    input: Any
    saver: BaseCheckpointSaver | None
    runner: TaskRunner
    lock: ThreadHold | None
    forward: tuple[ChunkSink, tuple[str, ...]] | None
    traced: tuple[Any] | None = None
    """``(input,)`` when the run reports to callbacks: what its callback run shows."""

    @property
    def home(self) -> tuple[str, ...]:
        """The run's namespace (``()`` for the root graph)."""
        namespace = self.opts.namespace
        return tuple(namespace.split("|")) if namespace else ()

    def forward_event(self, event: Emit) -> None:
        """A subgraph's own event, passed up to the stream of the run it is part of."""
        if self.forward is not None:
            sink, namespace = self.forward
            sink.put((*namespace, *event.namespace), event.mode, event.chunk)


class ThreadHold(NamedTuple):
    """The thread a run must hold, and for how long it may wait."""

    saver: BaseCheckpointSaver
    thread_id: str
    timeout: float


def hold(lock: ThreadHold | None) -> AbstractContextManager[None]:
    if lock is None:
        return nullcontext()
    return lock.saver.thread_lock(lock.thread_id, lock.timeout)


def ahold(lock: ThreadHold | None) -> AbstractAsyncContextManager[None]:
    if lock is None:
        return nullcontext()
    return lock.saver.athread_lock(lock.thread_id, lock.timeout)
