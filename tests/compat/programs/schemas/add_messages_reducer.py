"""add_messages: append, replace by id, accept dicts and tuples, remove."""

from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages


class State(TypedDict):
    messages: Annotated[list, add_messages]


def reply(state: State) -> dict:
    last = state["messages"][-1]
    return {"messages": [AIMessage(content=f"echo: {last.content}", id="ai-1")]}


def revise(state: State) -> dict:
    return {"messages": [AIMessage(content="revised echo", id="ai-1"), ("user", "thanks")]}


def prune(state: State) -> dict:
    return {"messages": [RemoveMessage(id="h-1")]}


builder = StateGraph(State)
builder.add_node("reply", reply)
builder.add_node("revise", revise)
builder.add_node("prune", prune)
builder.add_edge(START, "reply")
builder.add_edge("reply", "revise")
builder.add_edge("revise", "prune")
graph = builder.compile()

result = graph.invoke({"messages": [HumanMessage(content="hi", id="h-1")]})
for message in result["messages"]:
    print(type(message).__name__, repr(message.content), message.id == "ai-1")

result = graph.invoke({"messages": [{"role": "user", "content": "dict in", "id": "h-1"}]})
print([(m.type, m.content) for m in result["messages"]])
