"""stream(version="v2"): every chunk is a typed part {type, ns, data}, whatever the modes."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    topic: str
    notes: Annotated[list[str], operator.add]


def research(state: State) -> dict:
    get_stream_writer()({"progress": "researching " + state["topic"]})
    return {"notes": ["found a fact"]}


def review(state: State) -> dict:
    verdict = interrupt({"question": "approve?", "notes": state["notes"]})
    return {"notes": [f"review: {verdict}"]}


builder = StateGraph(State)
builder.add_node("research", research)
builder.add_node("review", review)
builder.add_edge(START, "research")
builder.add_edge("research", "review")
builder.add_edge("review", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "v2"}}

for mode in ("values", "updates", ["values", "updates", "custom"]):
    print("mode", mode)
    thread = {"configurable": {"thread_id": f"v2-{mode}"}}
    for part in graph.stream(
        {"topic": "owls", "notes": []}, thread, stream_mode=mode, version="v2"
    ):
        print(" ", sorted(part), part["type"], part["ns"], part["data"], part.get("interrupts"))
    for part in graph.stream(Command(resume="yes"), thread, stream_mode=mode, version="v2"):
        print(" ", sorted(part), part["type"], part["ns"], part["data"], part.get("interrupts"))

result = graph.invoke({"topic": "cats", "notes": []}, config, version="v2")
print(type(result).__name__, result.value, result.interrupts)
print([i.value for i in result.interrupts])
result = graph.invoke(Command(resume="no"), config, version="v2")
print(type(result).__name__, result.value, result.interrupts)
print(
    graph.invoke(
        {"topic": "dogs", "notes": []},
        {"configurable": {"thread_id": "x"}},
        stream_mode="updates",
        version="v2",
    )
)
