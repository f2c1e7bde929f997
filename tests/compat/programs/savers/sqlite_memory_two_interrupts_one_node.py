"""SqliteSaver(":memory:"): a node asks twice; each resume replays the node with earlier answers
kept.
"""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

runs = {"form": 0}


class State(TypedDict):
    name: str
    email: str


def form(state: State) -> dict:
    runs["form"] += 1
    name = interrupt("name?")
    email = interrupt(f"email for {name}?")
    return {"name": name, "email": email}


builder = StateGraph(State)
builder.add_node("form", form)
builder.add_edge(START, "form")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "form"}}
    for chunk in graph.stream({"name": "", "email": ""}, config, stream_mode="updates"):
        print(chunk["__interrupt__"][0].value if "__interrupt__" in chunk else chunk)
    for chunk in graph.stream(Command(resume="Lin"), config, stream_mode="updates"):
        print(chunk["__interrupt__"][0].value if "__interrupt__" in chunk else chunk)
    print("pending", sorted(w[1] for w in saver.get_tuple(config).pending_writes))
    for chunk in graph.stream(Command(resume="lin@example.org"), config, stream_mode="updates"):
        print(chunk)
    print(runs, graph.get_state(config).values)
