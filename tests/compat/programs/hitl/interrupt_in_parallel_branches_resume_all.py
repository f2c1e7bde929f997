"""Two parallel branches each interrupt; one Command(resume={id: answer, ...}) answers both;
get_state lists both interrupts with their namespaces' tasks."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    answers: Annotated[list[str], operator.add]


def ask(topic):
    def node(state: State) -> dict:
        return {"answers": [f"{topic}={interrupt(f'{topic}?')}"]}

    return node


builder = StateGraph(State)
builder.add_node("color", ask("color"))
builder.add_node("size", ask("size"))
builder.add_node("summary", lambda s: {"answers": [f"{len(s['answers'])} answers"]})
builder.add_edge(START, "color")
builder.add_edge(START, "size")
builder.add_edge(["color", "size"], "summary")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "p"}}
paused = graph.invoke({"answers": []}, config)
print(sorted(i.value for i in paused["__interrupt__"]))
state = graph.get_state(config)
print(state.next, sorted((t.name, [i.value for i in t.interrupts]) for t in state.tasks))
answers = {i.id: i.value.rstrip("?").upper() for i in state.interrupts}
print(sorted(graph.invoke(Command(resume=answers), config)["answers"]))
print(graph.get_state(config).next)
