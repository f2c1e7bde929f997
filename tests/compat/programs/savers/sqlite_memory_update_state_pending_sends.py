"""SqliteSaver(":memory:"): update_state() while Send tasks wait at interrupt_before; the update's
step replaces them.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    items: list[str]
    out: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("work", lambda job: {"out": [job["item"].upper()]})
builder.add_conditional_edges(
    START, lambda s: [Send("work", {"item": i}) for i in s["items"]], ["work"]
)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver, interrupt_before=["work"])
    config = {"configurable": {"thread_id": "sends"}}
    print(graph.invoke({"items": ["a", "b"], "out": []}, config))
    state = graph.get_state(config)
    print(state.next, len(state.tasks))
    graph.update_state(config, {"out": ["manual"]})
    state = graph.get_state(config)
    print(state.next, len(state.tasks), state.values, state.metadata["source"])
    print(graph.invoke(None, config))
