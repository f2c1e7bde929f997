"""A resumed run streams the checkpoint it resumes from, in checkpoints and debug modes."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    total: int


def add(state: State) -> dict:
    return {"total": state["total"] + interrupt("how much?")}


def double(state: State) -> dict:
    return {"total": state["total"] * 2}


builder = StateGraph(State)
builder.add_node("add", add)
builder.add_node("double", double)
builder.add_edge(START, "add")
builder.add_edge("add", "double")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "resume"}}


def show(chunk):
    if isinstance(chunk, tuple):
        mode, chunk = chunk
        print(" ", mode, end=" ")
    if "payload" in chunk:
        print(chunk["type"], chunk["step"], end=" ")
        chunk = chunk["payload"]
    if "next" in chunk:
        print(chunk["next"], chunk["values"], chunk["metadata"]["step"], len(chunk["tasks"]))
    else:
        print(chunk)


for chunk in graph.stream({"total": 1}, config, stream_mode="checkpoints"):
    show(chunk)
print("resume")
for chunk in graph.stream(Command(resume=4), config, stream_mode=["checkpoints", "values"]):
    show(chunk)
print("again, finished")
for chunk in graph.stream(None, config, stream_mode="debug"):
    show(chunk)
print("time travel")
before_double = next(s for s in graph.get_state_history(config) if s.next == ("double",))
for chunk in graph.stream(None, before_double.config, stream_mode="checkpoints"):
    show(chunk)
