"""typing.TypedDict with total=False: keys nobody wrote are absent from the result."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict, total=False):
    question: str
    draft: str
    final: str
    notes: str


def draft(state: State) -> State:
    return {"draft": state["question"].upper()}


def finalize(state: State) -> State:
    if "notes" in state:
        return {"final": state["draft"] + " / " + state["notes"]}
    return {"final": state["draft"] + "!"}


builder = StateGraph(State)
builder.add_node(draft)
builder.add_node(finalize)
builder.add_edge(START, "draft")
builder.add_edge("draft", "finalize")
graph = builder.compile()

print(graph.invoke({"question": "what is up"}))
print(graph.invoke({"question": "hi", "notes": "be brief"}))
print(sorted(graph.invoke({"question": "keys"}).keys()))
