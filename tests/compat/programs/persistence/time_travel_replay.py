"""Time travel: invoke(None, old_config) re-runs the steps after that checkpoint."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

calls = []


class State(TypedDict):
    path: Annotated[list[str], operator.add]


def node(name):
    def run(state: State) -> dict:
        calls.append(name)
        return {"path": [name]}

    return run


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, node(name))
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "c")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "tt"}}
graph.invoke({"path": []}, config)
print("calls", calls)

before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
print("replaying from", before_b.metadata["step"], before_b.values)
calls.clear()
print(graph.invoke(None, before_b.config))
print("calls", calls)

history = list(graph.get_state_history(config))
print(len(history), [(s.metadata["step"], s.metadata["source"], s.next) for s in history])
print("latest", graph.get_state(config).values)
