"""A subgraph with extra private keys: only keys the parent has flow back."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class ParentState(TypedDict):
    question: str
    answer: str


class ChildState(TypedDict):
    question: str
    answer: str
    thoughts: str


child = StateGraph(ChildState)
child.add_node("think", lambda s: {"thoughts": f"hmm, {s['question']}"})
child.add_node("reply", lambda s: {"answer": s["thoughts"].replace("hmm", "yes")})
child.add_edge(START, "think")
child.add_edge("think", "reply")

parent = StateGraph(ParentState)
parent.add_node("child", child.compile())
parent.add_edge(START, "child")
graph = parent.compile()

print(graph.invoke({"question": "tea?", "answer": ""}))
for chunk in graph.stream({"question": "cake?", "answer": ""}):
    print(chunk)
