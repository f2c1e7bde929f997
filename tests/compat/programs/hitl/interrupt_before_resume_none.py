"""interrupt_before: a static breakpoint; invoke(None, config) continues."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("step_1", "step_2", "step_3"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "step_1")
builder.add_edge("step_1", "step_2")
builder.add_edge("step_2", "step_3")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["step_3"])

config = {"configurable": {"thread_id": "b"}}
for event in graph.stream({"log": ["in"]}, config, stream_mode="values"):
    print(event)
snapshot = graph.get_state(config)
print("paused before", snapshot.next, "interrupts", snapshot.interrupts)
print("task", [(t.name, t.interrupts) for t in snapshot.tasks])

for event in graph.stream(None, config, stream_mode="values"):
    print(event)
print("next", graph.get_state(config).next)
