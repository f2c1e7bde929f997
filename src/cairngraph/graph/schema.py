"""State schemas → channels, and state values ↔ what nodes see.

A schema is a TypedDict, a dataclass or a pydantic model. Each field becomes
a channel: a plain field keeps its last value; ``Annotated[T, reducer]``
folds every write with ``reducer`` (starting from ``T()`` when ``T`` can be
built with no arguments, as LangGraph does). Nodes receive a dict for
TypedDict schemas and an instance for dataclass and pydantic schemas.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cairngraph.engine.channels import MISSING, BinaryOperatorAggregate, Channel, LastValue
from cairngraph.errors import InvalidGraphError

__all__ = ["Schema", "schema_of"]

Kind = Literal["typeddict", "dataclass", "pydantic", "dict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema:
    """What cairngraph knows about one schema class."""

    cls: Any
    kind: Kind
    keys: tuple[str, ...]
    channels: Mapping[str, Channel]

    def build(self, channels: Mapping[str, Channel]) -> Any:
        """The value a node with this input schema receives."""
        values = {}
        for key in self.keys:
            channel = channels.get(key)
            if channel is not None and channel.is_available():
                values[key] = channel.value
        if self.kind in ("typeddict", "dict"):
            return values
        return self.cls(**values)

    def fields_of(self, value: Any) -> dict[str, Any] | None:
        """A schema instance as a dict of its fields; None if ``value`` is not one."""
        if (
            self.kind == "dataclass"
            and dataclasses.is_dataclass(value)
            and not isinstance(value, type)
        ):
            return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        if self.kind == "pydantic" and hasattr(value, "model_dump") and isinstance(value, self.cls):
            return {name: getattr(value, name) for name in value.model_fields_set or ()} or {
                name: getattr(value, name) for name in type(value).model_fields
            }
        return None


def _kind(cls: Any) -> Kind:
    if cls is dict or cls is None:
        return "dict"
    if isinstance(cls, type) and typing.is_typeddict(cls):
        return "typeddict"
    if dataclasses.is_dataclass(cls):
        return "dataclass"
    if isinstance(cls, type) and hasattr(cls, "model_fields") and hasattr(cls, "model_validate"):
        return "pydantic"
    raise InvalidGraphError(
        [
            f"state schema {cls!r} is not a TypedDict, a dataclass or a pydantic model; "
            "declare the state as `class State(TypedDict): ...`"
        ]
    )


def _reducer(annotation: Any) -> Callable[[Any, Any], Any] | None:
    if typing.get_origin(annotation) is not typing.Annotated:
        return None
    for meta in reversed(annotation.__metadata__):
        if callable(meta) and _takes_two(meta):
            return meta  # type: ignore[no-any-return]
    return None


def _takes_two(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def _start_factory(annotation: Any) -> Any:
    """``T`` of ``Annotated[T, reducer]`` when ``T()`` builds an empty value, else MISSING."""
    inner = typing.get_args(annotation)[0]
    origin = typing.get_origin(inner) or inner
    if origin in (list, dict, set, tuple, int, float, str, frozenset):
        return origin
    if isinstance(origin, type) and typing.is_typeddict(origin):
        return MISSING
    if isinstance(origin, type):
        try:
            origin()
        except Exception:  # noqa: BLE001 - probing for a no-argument constructor, as documented
            return MISSING
        return origin
    return MISSING


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
    hints = _hints(cls)
    if kind == "pydantic":
        hints = {name: hints.get(name, Any) for name in cls.model_fields}
    channels: dict[str, Channel] = {}
    for key, annotation in hints.items():
        if key.startswith("__") or typing.get_origin(annotation) is typing.ClassVar:
            continue
        reducer = _reducer(annotation)
        if reducer is None:
            channels[key] = LastValue(key)
        else:
            channels[key] = BinaryOperatorAggregate(key, reducer, _start_factory(annotation))
    return Schema(cls=cls, kind=kind, keys=tuple(channels), channels=channels)


def input_schema_of(function: Callable[..., Any]) -> Any | None:
    """The schema class a node's first parameter is annotated with, if it is one."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
        hints = typing.get_type_hints(function)
    except (TypeError, ValueError, NameError):
        return None
    if not parameters:
        return None
    annotation = hints.get(parameters[0].name)
    if annotation is None:
        return None
    try:
        _kind(annotation)
    except InvalidGraphError:
        return None
    return annotation if annotation not in (dict, None) else None
