"""A compiled graph's input/output/context schemas, built with pydantic as LangGraph builds them."""

from __future__ import annotations

import dataclasses
import operator
import sys
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from cairngraph.graph import START, StateGraph
from cairngraph.managed import RemainingSteps


class Typed(TypedDict):
    topic: str
    items: Annotated[list[int], operator.add]
    steps: RemainingSteps


@dataclasses.dataclass
class Data:
    topic: str
    count: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    note: str | None = None


class Model(BaseModel):
    topic: str
    count: int = Field(default=1, description="how many")


def _compiled(schema: Any, **kwargs: Any) -> Any:
    graph = StateGraph(schema, **kwargs)
    graph.add_node("n", lambda state: {})
    graph.add_edge(START, "n")
    return graph.compile()


def test_typeddict_state() -> None:
    app = _compiled(Typed)
    schema = app.get_input_jsonschema()
    assert schema["title"] == "Typed" and schema["required"] == ["topic", "items", "steps"]
    assert schema["properties"]["items"] == {
        "items": {"type": "integer"},
        "title": "Items",
        "type": "array",
    }
    assert app.get_input_schema().model_json_schema()["$ref"] == "#/$defs/Typed"
    output = app.get_output_schema()
    assert output.__name__ == "LangGraphOutput"
    # Managed values are not output; every output key defaults to None.
    assert set(output.model_json_schema()["properties"]) == {"topic", "items"}
    assert output.model_json_schema()["properties"]["topic"]["default"] is None
    assert app.get_context_jsonschema() is None


def test_dataclass_state_keeps_its_defaults() -> None:
    schema = _compiled(Data).get_output_jsonschema()
    assert schema["title"] == "LangGraphOutput"
    assert schema["required"] == ["topic"]
    properties = schema["properties"]
    assert properties["count"]["default"] == 0
    assert properties["tags"]["default"] == []
    assert properties["note"]["default"] is None


def test_pydantic_state_and_context() -> None:
    @dataclasses.dataclass
    class Context:
        user: str = "u"

    app = _compiled(Model, context_schema=Context)
    assert app.get_input_jsonschema() == Model.model_json_schema()
    assert app.input_schema is Model
    assert app.get_context_jsonschema() == {
        "properties": {"user": {"default": "u", "title": "User", "type": "string"}},
        "title": "Context",
        "type": "object",
    }


def test_root_state_and_names() -> None:
    app = _compiled(Annotated[list, operator.add])
    assert app.get_input_jsonschema() == {
        "default": None,
        "items": {},
        "title": "LangGraphInput",
        "type": "array",
    }
    graph = StateGraph(Data)
    graph.add_node("n", lambda state: {})
    graph.add_edge(START, "n")
    named = graph.compile(name="my_graph")
    assert named.get_name() == "my_graph"
    assert named.get_input_schema().__name__ == "my_graph_input"


def test_without_pydantic_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _compiled(Data)
    monkeypatch.setitem(sys.modules, "pydantic", None)  # what an absent package looks like
    with pytest.raises(ImportError, match=r"cairngraph\[pydantic\]"):
        app.get_input_jsonschema()
