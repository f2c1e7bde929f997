"""Send tasks' paths: get_state().tasks, the history, and the node's
config["metadata"]["langgraph_path"] end with False, as LangGraph's do."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, Send, interrupt


class State(TypedDict):
    paths: Annotated[list, operator.add]


def fan_out(state: State) -> list[Send]:
    return [Send("worker", {"paths": []}), Send("worker", {"paths": []})]


def worker(state: State, config) -> dict:
    answer = interrupt("go?")
    return {"paths": [(config["metadata"]["langgraph_path"], answer)]}


builder = StateGraph(State)
builder.add_node("plan", lambda state: {"paths": ["plan"]})
builder.add_node("worker", worker)
builder.add_edge(START, "plan")
builder.add_conditional_edges("plan", fan_out)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "paths"}}
graph.invoke({"paths": []}, config)
snapshot = graph.get_state(config)
print([(task.name, task.path) for task in snapshot.tasks])
resume = {item.id: "yes" for item in snapshot.interrupts}
print(sorted(graph.invoke(Command(resume=resume), config)["paths"][1:]))
for state in graph.get_state_history(config):
    print(state.metadata["step"], [(task.name, task.path) for task in state.tasks])
