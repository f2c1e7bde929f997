"""A node invokes the same compiled subgraph twice with different inputs (each call its own
namespace); stream with subgraphs=True shows both."""

from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class Sub(TypedDict):
    word: str


def double(state: Sub) -> dict:
    return {"word": state["word"] * 2}


sub_builder = StateGraph(Sub)
sub_builder.add_node("double", double)
sub_builder.add_edge(START, "double")
sub = sub_builder.compile()


class State(TypedDict):
    words: list[str]


def call_twice(state: State) -> dict:
    return {"words": [sub.invoke({"word": w})["word"] for w in state["words"]]}


builder = StateGraph(State)
builder.add_node("call_twice", call_twice)
builder.add_edge(START, "call_twice")
graph = builder.compile()

print(graph.invoke({"words": ["ab", "c"]}))
chunks = list(graph.stream({"words": ["x", "y"]}, subgraphs=True))
print(len(chunks), len({ns for ns, _ in chunks}))
for namespace, chunk in chunks:
    print([p.split(":")[0] for p in namespace], chunk)
