"""SqliteSaver(":memory:"): Send fan-out; one worker interrupts, the others' writes are kept for
the resume.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send, interrupt

runs: dict[str, int] = {}


class State(TypedDict):
    cities: list[str]
    reports: Annotated[list[str], operator.add]


class Job(TypedDict):
    city: str


def fan_out(state: State) -> list[Send]:
    return [Send("forecast", {"city": c}) for c in state["cities"]]


def forecast(job: Job) -> dict:
    runs[job["city"]] = runs.get(job["city"], 0) + 1
    if job["city"] == "Oslo":
        sky = interrupt(f"sky over {job['city']}?")
        return {"reports": [f"{job['city']}: {sky}"]}
    return {"reports": [f"{job['city']}: sunny"]}


builder = StateGraph(State)
builder.add_node("forecast", forecast)
builder.add_node("summary", lambda s: {"reports": [f"{len(s['reports'])} reports"]})
builder.add_conditional_edges(START, fan_out, ["forecast"])
builder.add_edge("forecast", "summary")
builder.add_edge("summary", END)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "fan"}}
    result = graph.invoke({"cities": ["Rome", "Oslo", "Lima"], "reports": []}, config)
    print([i.value for i in result["__interrupt__"]], sorted(result["reports"]))
    state = graph.get_state(config)
    print(state.next, len(state.tasks), sorted(t.name for t in state.tasks))
    print("pending writes", len(saver.get_tuple(config).pending_writes))
    result = graph.invoke(Command(resume="snow"), config)
    print(sorted(result["reports"]))
    print(dict(sorted(runs.items())))
