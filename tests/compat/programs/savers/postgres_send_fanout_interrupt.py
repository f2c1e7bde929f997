"""PostgresSaver: Send workers where two interrupt; a resume dict answers them, finished ones do
not rerun.
"""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, Send, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
runs: dict[str, int] = {}


class State(TypedDict):
    files: list[str]
    reviewed: Annotated[list[str], operator.add]


def review(job: dict) -> dict:
    name = job["file"]
    runs[name] = runs.get(name, 0) + 1
    if name.endswith(".sql"):
        return {"reviewed": [f"{name}:{interrupt(f'check {name}')}"]}
    return {"reviewed": [f"{name}:auto"]}


builder = StateGraph(State)
builder.add_node("review", review)
builder.add_conditional_edges(
    START, lambda s: [Send("review", {"file": f}) for f in s["files"]], ["review"]
)

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "pr"}}
    result = graph.invoke({"files": ["a.py", "b.sql", "c.sql", "d.md"], "reviewed": []}, config)
    print(sorted(i.value for i in result["__interrupt__"]))
    state = graph.get_state(config)
    print(len(state.tasks), sorted(state.next))
    resume = {i.id: ("ok" if "b.sql" in i.value else "needs work") for i in state.interrupts}
    print(sorted(graph.invoke(Command(resume=resume), config)["reviewed"]))
    print(dict(sorted(runs.items())))
