"""A conditional edge from START with a path map, on a dataclass state."""

from dataclasses import dataclass

from langgraph.graph import END, START, StateGraph


@dataclass
class State:
    n: int
    parity: str = ""


def is_even(state: State) -> bool:
    return state.n % 2 == 0


builder = StateGraph(State)
builder.add_node("even", lambda s: {"parity": f"{s.n} is even"})
builder.add_node("odd", lambda s: {"parity": f"{s.n} is odd"})
builder.add_conditional_edges(START, is_even, {True: "even", False: "odd"})
builder.add_edge("even", END)
builder.add_edge("odd", END)
graph = builder.compile()

for n in (2, 7):
    print(graph.invoke({"n": n}))
    for chunk in graph.stream({"n": n}, stream_mode="updates"):
        print(" ", chunk)
