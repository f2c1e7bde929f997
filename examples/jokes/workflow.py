"""The tutorial's graph: generate a joke about a topic, then explain it."""

from __future__ import annotations

from typing import Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from examples.jokes.llm import Model


class JokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


def build(model: Model, checkpointer: BaseCheckpointSaver) -> Any:
    """Compile the two-step workflow over ``model``, saving every step to ``checkpointer``."""

    def generate_joke(state: JokeState) -> dict[str, str]:
        return {"joke": model.complete(f"Write a short joke about: {state['topic']}")}

    def explain_joke(state: JokeState) -> dict[str, str]:
        return {"explanation": model.complete(f"Explain why this joke is funny: {state['joke']}")}

    graph = StateGraph(JokeState)
    graph.add_node("generate_joke", generate_joke)
    graph.add_node("explain_joke", explain_joke)
    graph.add_edge(START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", END)
    return graph.compile(checkpointer=checkpointer)
