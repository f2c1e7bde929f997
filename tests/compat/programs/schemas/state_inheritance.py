"""A state class that extends another one, adding a reducer key."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class BaseState(TypedDict):
    user: str


class ChatState(BaseState):
    turns: Annotated[list[str], operator.add]
    mood: str


def greet(state: ChatState) -> dict:
    return {"turns": [f"hello {state['user']}"], "mood": "happy"}


def ask(state: ChatState) -> dict:
    return {"turns": ["how are you?"]}


builder = StateGraph(ChatState)
builder.add_node("greet", greet)
builder.add_node("ask", ask)
builder.add_edge(START, "greet")
builder.add_edge("greet", "ask")
graph = builder.compile()

print(graph.invoke({"user": "ana", "turns": ["(joined)"]}))
print(graph.invoke({"user": "bo"}))
for chunk in graph.stream({"user": "cy"}, stream_mode="values"):
    print(chunk)
