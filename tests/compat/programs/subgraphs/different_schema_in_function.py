"""A subgraph with a different schema called inside a node function."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class SubState(TypedDict):
    text: str
    words: int


class ParentState(TypedDict):
    document: str
    word_count: int


def count(state: SubState) -> dict:
    return {"words": len(state["text"].split())}


sub = StateGraph(SubState)
sub.add_node("count", count)
sub.add_edge(START, "count")
counter = sub.compile()


def call_counter(state: ParentState) -> dict:
    result = counter.invoke({"text": state["document"], "words": 0})
    return {"word_count": result["words"]}


builder = StateGraph(ParentState)
builder.add_node("call_counter", call_counter)
builder.add_edge(START, "call_counter")
graph = builder.compile()

print(graph.invoke({"document": "one two three four", "word_count": 0}))
for namespace, chunk in graph.stream({"document": "a b", "word_count": 0}, subgraphs=True):
    print(len(namespace), [ns.split(":")[0] for ns in namespace], chunk)
