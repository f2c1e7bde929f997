"""A deferred node waits for every branch a conditional edge started, however many."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    which: list[str]
    trail: Annotated[list[str], operator.add]


def fan(state: State) -> list[str]:
    return state["which"]


def make(name, hops):
    def run(state: State) -> dict:
        return {"trail": [f"{name}{hops}"]}

    return run


builder = StateGraph(State)
builder.add_node("start", lambda state: {"trail": ["start"]})
builder.add_node("short", make("short", 1))
builder.add_node("long_1", make("long", 1))
builder.add_node("long_2", make("long", 2))
builder.add_node("long_3", make("long", 3))
builder.add_node(
    "summary", lambda state: {"trail": [f"summary of {len(state['trail'])}"]}, defer=True
)
builder.add_edge(START, "start")
builder.add_conditional_edges("start", fan, ["short", "long_1"])
builder.add_edge("short", "summary")
builder.add_edge("long_1", "long_2")
builder.add_edge("long_2", "long_3")
builder.add_edge("long_3", "summary")
builder.add_edge("summary", END)
graph = builder.compile(checkpointer=InMemorySaver())

for i, which in enumerate((["short", "long_1"], ["long_1"], ["short"])):
    config = {"configurable": {"thread_id": str(i)}}
    print(graph.invoke({"which": which, "trail": []}, config)["trail"])
    print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
