"""State schemas → channels, and state values ↔ what nodes see.

A schema is a TypedDict (from ``typing`` or ``typing_extensions``), a
dataclass, a pydantic model or another class with annotations: each field
becomes a channel. A plain field keeps its last value; ``Annotated[T,
reducer]`` folds every write with ``reducer``, starting from ``T()`` when that
builds a value; ``Annotated[T, SomeChannel(...)]`` (or the channel class)
uses that channel. Nodes receive a dict for TypedDict (and plain class)
schemas and an instance for dataclass and pydantic schemas.

A schema without fields — ``int``, ``dict``, ``Annotated[list,
operator.add]`` — is a *root* schema: the whole state is one value kept in
the ``__root__`` channel; nodes receive and return the bare value, and so do
``invoke`` and ``get_state().values``.

These are LangGraph's rules, read from its behaviour, so a program moved from
LangGraph sees the same state.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import typing_extensions

from cairngraph.constants import ROOT
from cairngraph.engine.channels import MISSING, BaseChannel, BinaryOperatorAggregate, LastValue
from cairngraph.errors import InvalidGraphError
from cairngraph.managed import ManagedValue, managed_of

__all__ = ["ROOT", "Schema", "input_schema_of", "schema_of"]

Kind = Literal["typeddict", "dataclass", "pydantic", "class", "dict", "root"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema:
    """What cairngraph knows about one schema class."""

    cls: Any
    kind: Kind
    keys: tuple[str, ...]
    channels: Mapping[str, BaseChannel]
    managed: Mapping[str, type[ManagedValue]] = field(default_factory=dict)
    """Keys the engine fills in per step (``RemainingSteps``...): read by nodes, never saved."""

    def build(self, channels: Mapping[str, BaseChannel]) -> Any:
        """The value a node with this input schema receives."""
        if self.kind == "root":
            channel = channels.get(ROOT)
            return channel.value if channel is not None and channel.is_available() else None
        values = {}
        for key in self.keys:
            channel = channels.get(key)
            if channel is not None and channel.is_available():
                values[key] = channel.value
        for key in self.managed:
            channel = channels.get(key)
            if channel is not None and channel.is_available():
                values[key] = channel.value
        if self.kind in ("dataclass", "pydantic"):
            return self.cls(**values)
        return values

    def values(self, channels: Mapping[str, BaseChannel], keys: tuple[str, ...] = ()) -> Any:
        """The state as ``invoke`` returns it: a dict of the keys that have a value.

        A root schema gives its bare value (``{}`` while it has none).
        """
        if self.kind == "root":
            channel = channels.get(ROOT)
            return channel.value if channel is not None and channel.is_available() else {}
        values = {}
        for key in keys or self.keys:
            channel = channels.get(key)
            if channel is not None and channel.is_available():
                values[key] = channel.value
        return values

    def fields_of(self, value: Any) -> dict[str, Any] | None:
        """The state keys an object update writes; None if ``value`` is not such an object.

        LangGraph's rule: an instance of any class with annotations writes each
        state key it has as an attribute; from a pydantic model, an attribute
        that is None is skipped unless it was set explicitly or its default is
        not None.
        """
        if not _annotated_keys(type(value)):
            return None
        explicit: Any = getattr(value, "model_fields_set", None)
        model_fields: Any = getattr(type(value), "model_fields", None)
        found: dict[str, Any] = {}
        for key in self.keys:
            item = getattr(value, key, MISSING)
            if item is MISSING:
                continue
            if item is None and explicit is not None and key not in explicit:
                field = model_fields.get(key) if isinstance(model_fields, dict) else None
                if field is None or field.default is None:
                    continue
            found[key] = item
        return found


def _annotated_keys(cls: type) -> bool:
    if cls is dict or cls.__module__ == "builtins":
        return False
    return any(inspect.get_annotations(base) for base in cls.__mro__)


def _kind(cls: Any) -> Kind:
    if cls is None:
        return "dict"
    if typing_extensions.is_typeddict(cls):
        return "typeddict"
    if dataclasses.is_dataclass(cls) and isinstance(cls, type):
        return "dataclass"
    if isinstance(cls, type) and hasattr(cls, "model_fields") and hasattr(cls, "model_validate"):
        return "pydantic"
    if isinstance(cls, type) and cls.__module__ != "builtins" and _annotated_keys(cls):
        return "class"
    if isinstance(cls, type) or typing.get_origin(cls) is not None:
        return "root"
    raise InvalidGraphError(
        [
            f"state schema {cls!r} is not a type; declare the state as a TypedDict, a "
            "dataclass or a pydantic model (`class State(TypedDict): ...`), or as one value "
            "such as `Annotated[list, operator.add]`"
        ]
    )


_TOTALITY = frozenset(
    {typing.Required, typing.NotRequired, typing_extensions.Required, typing_extensions.NotRequired}
)


def channel_for(key: str, annotation: Any) -> BaseChannel:
    """The channel a field annotation declares (LangGraph's rules, in its order)."""
    if typing.get_origin(annotation) in _TOTALITY:
        annotation = typing.get_args(annotation)[0]
    metadata = getattr(annotation, "__metadata__", ()) if _is_annotated(annotation) else ()
    for item in metadata:
        if isinstance(item, BaseChannel):
            return _keyed(key, item.for_annotation(typing.get_args(annotation)[0]))
        if isinstance(item, type) and issubclass(item, BaseChannel):
            return _keyed(key, item(typing.get_args(annotation)[0]))
    if metadata and callable(metadata[-1]):
        reducer = metadata[-1]
        if not _takes_two(reducer):
            raise InvalidGraphError(
                [
                    f"state key {key!r}: the reducer {_name(reducer)} must take two arguments "
                    "(the current value and the update) and return the new value, e.g. "
                    f"`{key}: Annotated[list, operator.add]`"
                ]
            )
        aggregate = BinaryOperatorAggregate(annotation, reducer)
        aggregate.key = key
        return aggregate
    return LastValue(annotation, key)


def _keyed(key: str, channel: BaseChannel) -> BaseChannel:
    if type(channel).finish is not BaseChannel.finish:
        raise InvalidGraphError(
            [
                f"state key {key!r} is declared with {type(channel).__name__}, which waits for "
                "the run to finish; cairngraph does not support such channels in a state yet. "
                "Use LastValue or NamedBarrierValue."
            ]
        )
    channel.key = key
    return channel


def _is_annotated(annotation: Any) -> bool:
    return typing.get_origin(annotation) is typing.Annotated


def _takes_two(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 2


def _name(function: Any) -> str:
    return getattr(function, "__qualname__", None) or repr(function)


def _hints(cls: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except NameError as error:
        raise InvalidGraphError(
            [f"cannot resolve the annotations of state schema {cls.__name__}: {error}"]
        ) from error


def schema_of(cls: Any) -> Schema:
    """Read ``cls`` into a :class:`Schema` with one channel prototype per field."""
    kind = _kind(cls)
    if kind == "dict":
        return Schema(cls=dict, kind="dict", keys=(), channels={})
    if kind == "root":
        return Schema(cls=cls, kind="root", keys=(ROOT,), channels={ROOT: channel_for(ROOT, cls)})
    hints = _hints(cls)
    if kind == "pydantic":
        hints = {name: hints.get(name, Any) for name in cls.model_fields}
    channels: dict[str, BaseChannel] = {}
    managed: dict[str, type[ManagedValue]] = {}
    for key, annotation in hints.items():
        if key.startswith("__") or typing.get_origin(annotation) is typing.ClassVar:
            continue
        manager = managed_of(annotation)
        if manager is not None:
            managed[key] = manager
            continue
        channels[key] = channel_for(key, annotation)
    return Schema(cls=cls, kind=kind, keys=tuple(channels), channels=channels, managed=managed)


def input_schema_of(function: Callable[..., Any]) -> Any | None:
    """The schema class a node's first parameter is annotated with, if it is one.

    As in LangGraph, only a class with annotated fields counts (``state: int``
    does not make a node read a root state of its own).
    """
    try:
        parameters = list(inspect.signature(function).parameters.values())
        hints = typing.get_type_hints(function)
    except (TypeError, ValueError, NameError):
        return None
    if not parameters:
        return None
    annotation = hints.get(parameters[0].name)
    if annotation is None or not isinstance(annotation, type):
        return None
    try:
        kind = _kind(annotation)
    except InvalidGraphError:
        return None
    return annotation if kind not in ("dict", "root") else None
