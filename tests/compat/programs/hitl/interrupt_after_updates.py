"""interrupt_after: stream updates shows the breakpoint; resume with invoke(None)."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    text: str


builder = StateGraph(State)
builder.add_node("draft", lambda s: {"text": s["text"] + " drafted"})
builder.add_node("publish", lambda s: {"text": s["text"] + " published"})
builder.add_edge(START, "draft")
builder.add_edge("draft", "publish")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_after=["draft"])

config = {"configurable": {"thread_id": "a"}}
for chunk in graph.stream({"text": "post"}, config):
    print(chunk)
print(graph.get_state(config).next)
print(graph.invoke(None, config))
print(graph.get_state(config).next)

config2 = {"configurable": {"thread_id": "a2"}}
result = graph.invoke({"text": "other"}, config2)
print(result)
