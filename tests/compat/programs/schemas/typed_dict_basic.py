"""A TypedDict state from typing_extensions, two nodes in a row."""

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    topic: str
    joke: str
    rating: int


def write_joke(state: State) -> dict:
    return {"joke": f"Why did the {state['topic']} cross the road?"}


def rate_joke(state: State) -> dict:
    return {"rating": len(state["joke"]) % 10}


builder = StateGraph(State)
builder.add_node("write_joke", write_joke)
builder.add_node("rate_joke", rate_joke)
builder.add_edge(START, "write_joke")
builder.add_edge("write_joke", "rate_joke")
builder.add_edge("rate_joke", END)
graph = builder.compile()

print(graph.invoke({"topic": "chicken"}))
print(graph.invoke({"topic": "duck", "rating": 99}))
for chunk in graph.stream({"topic": "goose"}):
    print(chunk)
