"""Several interrupt() calls in one node are answered one by one; the node re-runs."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

runs = []


class State(TypedDict):
    name: str
    age: str
    city: str


def form(state: State) -> dict:
    runs.append("form")
    name = interrupt("What is your name?")
    age = interrupt(f"How old are you, {name}?")
    city = interrupt("Where do you live?")
    return {"name": name, "age": age, "city": city}


builder = StateGraph(State)
builder.add_node("form", form)
builder.add_edge(START, "form")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "form"}}
result = graph.invoke({"name": "", "age": "", "city": ""}, config)
print([i.value for i in result["__interrupt__"]])
for answer in ("Ada", "36", "London"):
    result = graph.invoke(Command(resume=answer), config)
    if "__interrupt__" in result:
        print("asks", [i.value for i in result["__interrupt__"]])
    else:
        print("done", result)
print("node ran", len(runs), "times")
print(graph.get_state(config).next, graph.get_state(config).interrupts)
