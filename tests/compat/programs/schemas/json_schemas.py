"""get_input_jsonschema/get_output_jsonschema, get_input_schema/get_output_schema,
get_context_jsonschema and input_schema/output_schema for TypedDict, dataclass,
pydantic and root states; a typing.TypedDict state is refused by pydantic on 3.11."""

import operator
import typing
from dataclasses import dataclass, field
from typing import Annotated, Literal

from langgraph.graph import START, StateGraph
from langgraph.managed import RemainingSteps
from pydantic import BaseModel, Field, PydanticUserError
from typing_extensions import TypedDict


class TD(TypedDict):
    """A typed dict state."""

    topic: str
    items: Annotated[list[int], operator.add]
    mood: Literal["a", "b"]
    steps: RemainingSteps


class TDIn(TypedDict):
    topic: str


class TDOut(TypedDict):
    items: list[int]


@dataclass
class DC:
    topic: str
    count: int = 0
    tags: list[str] = field(default_factory=list)
    note: str | None = None


class PM(BaseModel):
    """A pydantic state."""

    topic: str
    count: int = Field(default=1, description="how many")
    items: Annotated[list[int], operator.add] = []


class Ctx(TypedDict):
    user: str


@dataclass
class DCtx:
    user: str = "u"


def build(schema, **kw):
    b = StateGraph(schema, **kw)
    b.add_node("n", lambda s: {})
    b.add_edge(START, "n")
    return b.compile()


for label, g in [
    ("td", build(TD)),
    ("td io", build(TD, input_schema=TDIn, output_schema=TDOut)),
    ("dc", build(DC)),
    ("pm", build(PM, context_schema=Ctx)),
    ("dataclass context", build(TDIn, context_schema=DCtx)),
    ("root", build(Annotated[list, operator.add])),
]:
    print("==", label)
    print(g.get_input_jsonschema())
    print(g.get_output_jsonschema())
    print(g.get_context_jsonschema())
    for fn in ("get_input_schema", "get_output_schema"):
        s = getattr(g, fn)()
        print(fn, s.__name__, s.model_json_schema())
    print(g.input_schema.__name__, g.output_schema.__name__)
    print(g.get_name())


class Plain(typing.TypedDict):
    a: int


try:
    build(Plain).get_input_jsonschema()
except PydanticUserError as error:
    print("typing.TypedDict:", type(error).__name__)
named = StateGraph(TDIn)
named.add_node("n", lambda s: {})
named.add_edge(START, "n")
print(named.compile(name="my_graph").get_input_schema().__name__)
