"""Fork: update_state on an old checkpoint makes a new branch; the run continues there."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    topic: str
    joke: str


builder = StateGraph(State)
builder.add_node("pick", lambda s: {"topic": s["topic"].strip().lower()})
builder.add_node("joke", lambda s: {"joke": f"Why is {s['topic']} funny?"})
builder.add_edge(START, "pick")
builder.add_edge("pick", "joke")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "fork"}}
print(graph.invoke({"topic": "  Cats "}, config))

before_joke = next(s for s in graph.get_state_history(config) if s.next == ("joke",))
forked = graph.update_state(before_joke.config, {"topic": "dogs"})
print("fork source", graph.get_state(forked).metadata["source"])
print("fork next", graph.get_state(forked).next)
print(graph.invoke(None, forked))

for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next, s.values)
