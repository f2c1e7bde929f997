"""Pydantic state validates the input: a bad value fails before any node runs."""

import pydantic
from langgraph.graph import START, StateGraph
from pydantic import BaseModel, field_validator


class State(BaseModel):
    count: int
    label: str = "none"

    @field_validator("count")
    @classmethod
    def positive(cls, value: int) -> int:
        if value < 0:
            raise ValueError("count must be positive")
        return value


def bump(state: State) -> dict:
    print("bump ran with", state.count)
    return {"count": state.count + 1, "label": "bumped"}


builder = StateGraph(State)
builder.add_node("bump", bump)
builder.add_edge(START, "bump")
graph = builder.compile()

print(graph.invoke({"count": "7"}))
for bad in ({"count": "seven"}, {"count": -3}):
    try:
        graph.invoke(bad)
    except pydantic.ValidationError as exc:
        print("ValidationError", exc.error_count(), exc.errors()[0]["loc"])
