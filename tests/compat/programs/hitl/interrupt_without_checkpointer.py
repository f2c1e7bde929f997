"""interrupt() without a checkpointer, and a checkpointer without a thread_id."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt


class State(TypedDict):
    answer: str


def ask(state: State) -> dict:
    return {"answer": interrupt("question?")}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")

print("no checkpointer:", builder.compile().invoke({"answer": ""}))

graph = builder.compile(checkpointer=InMemorySaver())
try:
    graph.invoke({"answer": ""})
except ValueError:
    print("no thread_id: caught ValueError")

result = graph.invoke({"answer": ""}, {"configurable": {"thread_id": "ok"}})
print([i.value for i in result["__interrupt__"]])
