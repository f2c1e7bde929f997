"""context_schema= with invoke(..., context=...): nodes read runtime.context."""

from dataclasses import dataclass
from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime


@dataclass
class Context:
    user_name: str
    language: str = "en"


class State(TypedDict):
    greeting: str


def greet(state: State, runtime: Runtime[Context]) -> dict:
    word = {"en": "Hello", "fr": "Bonjour"}[runtime.context.language]
    return {"greeting": f"{word}, {runtime.context.user_name}"}


def sign(state: State, runtime: Runtime[Context]) -> dict:
    print("context type", type(runtime.context).__name__)
    return {"greeting": state["greeting"] + "!"}


builder = StateGraph(State, context_schema=Context)
builder.add_node("greet", greet)
builder.add_node("sign", sign)
builder.add_edge(START, "greet")
builder.add_edge("greet", "sign")
graph = builder.compile()

print(graph.invoke({"greeting": ""}, context=Context(user_name="Ana")))
print(graph.invoke({"greeting": ""}, context=Context(user_name="Luc", language="fr")))
for chunk in graph.stream({"greeting": ""}, context=Context(user_name="Bo")):
    print(chunk)
