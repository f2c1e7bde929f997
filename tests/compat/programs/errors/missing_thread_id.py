"""A checkpointed graph invoked without a thread_id: which error users catch."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")
graph = builder.compile(checkpointer=InMemorySaver())

for config in (None, {}, {"configurable": {}}, {"configurable": {"user": "u"}}):
    try:
        graph.invoke({"x": 1}, config)
        print(config, "ran")
    except (ValueError, KeyError) as exc:
        print(config, "caught", "ValueError" if isinstance(exc, ValueError) else "KeyError")
print(graph.invoke({"x": 1}, {"configurable": {"thread_id": "ok"}}))
try:
    graph.get_state({"configurable": {}})
    print("get_state without thread ran")
except (ValueError, KeyError) as exc:
    caught = "ValueError" if isinstance(exc, ValueError) else "KeyError"
    print("get_state without thread: caught", caught)
