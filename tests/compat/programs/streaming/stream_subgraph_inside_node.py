"""A node streams a subgraph itself and collects its custom and update chunks."""

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    x: int


def research(state: State) -> dict:
    get_stream_writer()({"progress": f"researching {state['x']}"})
    return {"x": state["x"] + 1}


inner = StateGraph(State)
inner.add_node("research", research)
inner.add_edge(START, "research")
researcher = inner.compile()


def supervisor(state: State) -> dict:
    seen = []
    for mode, chunk in researcher.stream(state, stream_mode=["custom", "updates"]):
        seen.append(mode)
        if mode == "updates":
            result = chunk["research"]["x"]
    print("supervisor saw", seen)
    return {"x": result * 10}


outer = StateGraph(State)
outer.add_node("supervisor", supervisor)
outer.add_edge(START, "supervisor")
graph = outer.compile()

for mode, chunk in graph.stream({"x": 1}, stream_mode=["custom", "updates"]):
    print(mode, chunk)
print(graph.invoke({"x": 2}))
