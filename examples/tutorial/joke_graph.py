"""The tutorial's joke graph, shared by the section examples."""

from __future__ import annotations

from typing import Any, TypedDict

from cairngraph.graph import END, START, StateGraph
from examples.tutorial._llm import fake_llm


class JokeState(TypedDict):
    topic: str
    joke: str
    explanation: str


def generate_joke(state: JokeState) -> dict[str, str]:
    return {"joke": fake_llm(f"Joke about: {state['topic']}")}


def explain_joke(state: JokeState) -> dict[str, str]:
    return {"explanation": fake_llm(f"Explain: {state['joke']}")}


def build_graph(schema: Any = JokeState) -> StateGraph:
    graph = StateGraph(schema)
    graph.add_node("generate_joke", generate_joke)
    graph.add_node("explain_joke", explain_joke)
    graph.add_edge(START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", END)
    return graph
