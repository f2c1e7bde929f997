"""An interrupt in a subgraph called from inside a node function (not as a node); resume it."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict

runs = {"outer": 0, "inner": 0}


class Inner(TypedDict):
    request: str
    answer: str


def confirm(state: Inner) -> dict:
    runs["inner"] += 1
    answer = interrupt(f"confirm {state['request']}?")
    return {"answer": f"{state['request']}: {answer}"}


inner_builder = StateGraph(Inner)
inner_builder.add_node("confirm", confirm)
inner_builder.add_edge(START, "confirm")
inner = inner_builder.compile()


class Outer(TypedDict):
    order: str
    result: str


def place(state: Outer) -> dict:
    runs["outer"] += 1
    out = inner.invoke({"request": state["order"], "answer": ""})
    return {"result": out["answer"]}


builder = StateGraph(Outer)
builder.add_node("place", place)
builder.add_edge(START, "place")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "o"}}
paused = graph.invoke({"order": "pizza", "result": ""}, config)
print(paused["__interrupt__"][0].value, runs)
state = graph.get_state(config, subgraphs=True)
print(state.next, state.tasks[0].name, state.tasks[0].state is not None)
print(graph.invoke(Command(resume="yes"), config), runs)
