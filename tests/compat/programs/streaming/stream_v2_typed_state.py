"""version="v2" gives values as the state's own class (a dataclass or a pydantic model)."""

from dataclasses import dataclass, field

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel


@dataclass
class Counter:
    count: int = 0
    seen: list[str] = field(default_factory=list)


class Profile(BaseModel):
    name: str
    visits: int = 0


def bump(state: Counter) -> dict:
    return {"count": state.count + 1, "seen": [*state.seen, "bump"]}


def visit(state: Profile) -> dict:
    return {"visits": state.visits + 1}


counter = StateGraph(Counter)
counter.add_node("bump", bump)
counter.add_edge(START, "bump")
counter_graph = counter.compile(checkpointer=InMemorySaver())

profile = StateGraph(Profile)
profile.add_node("visit", visit)
profile.add_edge(START, "visit")
profile_graph = profile.compile()

config = {"configurable": {"thread_id": "typed"}}
for part in counter_graph.stream(
    Counter(), config, stream_mode=["values", "updates"], version="v2"
):
    print(part["type"], type(part["data"]).__name__, part["data"])
out = counter_graph.invoke(None, config, version="v2")
print(type(out.value).__name__, out.value, out.interrupts)
print(counter_graph.invoke(None, config))
for part in profile_graph.stream({"name": "ada"}, version="v2"):
    print(part["type"], type(part["data"]).__name__, part["data"])
out = profile_graph.invoke({"name": "ada"}, version="v2")
print(type(out.value).__name__, out.value)
for part in counter_graph.stream(None, config, stream_mode="checkpoints", version="v2"):
    print(part["type"], type(part["data"]["values"]).__name__, part["data"]["next"])
