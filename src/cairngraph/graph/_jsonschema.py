"""A compiled graph's input, output and context schemas as pydantic models and JSON schemas.

LangGraph builds these with pydantic, and so does cairngraph, with the same
rules so that the JSON is the same:

- ``get_input_jsonschema``/``get_output_jsonschema``: a pydantic schema gives
  its own ``model_json_schema()``, a TypedDict pydantic's ``TypeAdapter``
  schema; any other schema (a dataclass, a plain class, a root schema) a model
  named ``<graph name>Input``/``Output`` with one field per state key, whose
  default is the field's (a dataclass default, ``None`` for an optional type,
  else required).
- ``get_input_schema``: the input schema itself when it is a pydantic model,
  else a root model ``<graph name>Input`` over it. ``get_output_schema``: a
  model ``<graph name>Output`` whose every key defaults to ``None`` (a root
  model for a root schema). Managed values (``RemainingSteps``) are not
  output.

pydantic is imported only here, when one of them is asked for; without it
the call raises an ``ImportError`` naming the extra to install.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import TYPE_CHECKING, Any

import typing_extensions

from cairngraph.errors import InvalidConfigError
from cairngraph.graph.schema import ROOT, Schema

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "context_jsonschema",
    "input_jsonschema",
    "input_model",
    "output_jsonschema",
    "output_model",
]


def _pydantic() -> ModuleType:
    try:
        import pydantic
    except ImportError as error:
        raise ImportError(
            "a graph's input/output/context schemas are built with pydantic, which is not "
            "installed: pip install 'cairngraph[pydantic]' (or pip install pydantic)"
        ) from error
    return pydantic


def model_name(graph_name: str, suffix: str) -> str:
    """``LangGraphInput`` for ``LangGraph``, ``my_graph_input`` for ``my_graph``, as LangGraph."""
    if graph_name[:1].isupper():
        return graph_name + suffix.title()
    return f"{graph_name}_{suffix.lower()}"


def input_jsonschema(schema: Schema, name: str) -> dict[str, Any]:
    """The JSON schema of what ``invoke`` takes."""
    return _jsonschema(schema, model_name(name, "Input"))


def output_jsonschema(schema: Schema, name: str) -> dict[str, Any]:
    """The JSON schema of what ``invoke`` returns."""
    return _jsonschema(schema, model_name(name, "Output"))


def input_model(schema: Schema, name: str) -> Any:
    """A pydantic model of the input: the schema itself when it is one."""
    if schema.kind == "pydantic":
        return schema.cls
    return _root_model(model_name(name, "Input"), schema.cls)


def output_model(schema: Schema, name: str) -> Any:
    """A pydantic model of the output: every key optional (``None`` by default)."""
    title = model_name(name, "Output")
    if schema.kind == "root":
        kept = schema.channels[ROOT].typ
        if isinstance(kept, type) and hasattr(kept, "model_json_schema"):
            return kept
        return _root_model(title, kept)
    return _model(title, {key: (channel.typ, None) for key, channel in schema.channels.items()})


def context_jsonschema(context_schema: Any) -> dict[str, Any] | None:
    """The JSON schema of the run's context (``context_schema``), None without one."""
    if context_schema is None:
        return None
    pydantic = _pydantic()
    if isinstance(context_schema, type) and issubclass(context_schema, pydantic.BaseModel):
        model: Any = context_schema
        return dict(model.model_json_schema())
    if typing_extensions.is_typeddict(context_schema) or dataclasses.is_dataclass(context_schema):
        return dict(pydantic.TypeAdapter(context_schema).json_schema())
    raise InvalidConfigError(
        f"context_schema={context_schema!r} has no JSON schema: declare the context as a "
        "TypedDict, a dataclass or a pydantic model"
    )


def _jsonschema(schema: Schema, title: str) -> dict[str, Any]:
    pydantic = _pydantic()
    if schema.kind == "pydantic":
        result: dict[str, Any] = schema.cls.model_json_schema()
        return result
    if schema.kind == "typeddict":
        return dict(pydantic.TypeAdapter(schema.cls).json_schema())
    if schema.kind == "root":
        model = _root_model(title, schema.channels[ROOT].typ, default=None)
        return dict(model.model_json_schema())
    fields = {
        key: (channel.typ, _default(key, channel.typ, schema.cls))
        for key, channel in schema.channels.items()
    }
    return dict(_model(title, fields).model_json_schema())


def _default(key: str, annotation: Any, cls: Any) -> Any:
    """A field's default in the generated model: its own, None when optional, else required."""
    origin = typing.get_origin(annotation)
    if key in getattr(cls, "__optional_keys__", ()):
        return ... if origin in (typing.Required, typing_extensions.Required) else None
    if origin in (typing.Required, typing_extensions.Required):
        return ...
    if origin in (typing.NotRequired, typing_extensions.NotRequired):
        return None
    if dataclasses.is_dataclass(cls):
        for item in dataclasses.fields(cls):
            if item.name != key:
                continue
            if item.default is not dataclasses.MISSING and item.default is not ...:
                return item.default
            if item.default_factory is not dataclasses.MISSING:
                return item.default_factory()
    return None if _optional(annotation) else ...


def _optional(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is None or annotation is type(None):
        return True
    return _is_union(annotation) and type(None) in typing.get_args(annotation)


def _is_union(annotation: Any) -> bool:
    import types

    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _model(title: str, fields: dict[str, tuple[Any, Any]]) -> Any:
    """A model with one field per key; a key pydantic reserves (``_x``, ``schema``...) is
    kept under another attribute name with the key as its alias, as LangGraph does."""
    pydantic = _pydantic()
    reserved = {name for name in dir(pydantic.BaseModel) if not name.startswith("_")}
    definitions: dict[str, Any] = {}
    for key, (annotation, default) in fields.items():
        if key.startswith("_") or key in reserved:
            title_text = key.lstrip("_").replace("_", " ").title()
            field = pydantic.Field(
                default=default, alias=key, serialization_alias=key, title=title_text
            )
            definitions[f"private_{key}"] = (annotation, field)
        else:
            definitions[key] = (annotation, default)
    config = pydantic.ConfigDict(arbitrary_types_allowed=True, frozen=True, protected_namespaces=())
    return pydantic.create_model(title, __config__=config, **definitions)


def _root_model(title: str, annotation: Any, **default: Any) -> Any:
    """A ``RootModel`` over ``annotation`` whose JSON schema is titled ``title``."""
    pydantic = _pydantic()

    def model_json_schema(cls: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        found: dict[str, Any] = super(cls, cls).model_json_schema(*args, **kwargs)
        found["title"] = title
        return found

    namespace: dict[str, Any] = {
        "__annotations__": {"root": annotation},
        "model_config": pydantic.ConfigDict(arbitrary_types_allowed=True),
        "model_json_schema": classmethod(model_json_schema),
        "__module__": "cairngraph.graph.state",
    }
    if "default" in default:
        namespace["root"] = default["default"]
    return type(title, (pydantic.RootModel,), namespace)
