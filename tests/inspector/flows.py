"""Real graphs whose runs fill the inspector's test stores.

``review`` pauses on ``interrupt`` for a human answer; ``builder`` is the
StateGraph ``cairn ui --graph tests.inspector.flows:builder`` loads.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from examples.tutorial.joke_graph import build_graph

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.types import Command, interrupt


class Review(TypedDict, total=False):
    topic: str
    draft: str
    notes: dict[str, Any]
    approved: bool


def write(state: Review) -> dict[str, Any]:
    return {"draft": f"a post about {state['topic']}", "notes": {"words": 4, "tags": ["x"]}}


def review(state: Review) -> dict[str, Any]:
    verdict = interrupt({"question": "publish?", "draft": state["draft"]})
    return {"approved": verdict == "yes"}


builder = StateGraph(Review)
builder.add_node("write", write)
builder.add_node("review", review)
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", END)


class Answers(TypedDict):
    answers: Annotated[list[str], operator.add]


def ask_a(state: Answers) -> dict[str, Any]:
    return {"answers": ["a:" + interrupt("question a")]}


def ask_b(state: Answers) -> dict[str, Any]:
    return {"answers": ["b:" + interrupt("question b")]}


two_questions = StateGraph(Answers)
"""Two nodes that run in one step and both wait for an answer."""
two_questions.add_node("ask_a", ask_a)
two_questions.add_node("ask_b", ask_b)
two_questions.add_edge(START, "ask_a")
two_questions.add_edge(START, "ask_b")


class Fragile(TypedDict, total=False):
    topic: str
    checked: bool


def check(state: Fragile) -> dict[str, Any]:
    if state["topic"] == "boom":
        raise ValueError(f"cannot check topic {state['topic']!r}")
    return {"checked": True}


fragile = StateGraph(Fragile)
"""One node that fails on the topic "boom"."""
fragile.add_node("check", check)
fragile.add_edge(START, "check")

stops_before_review = builder.compile(interrupt_before=["review"])
"""A compiled graph, for ``load_graph`` to recompile with another checkpointer."""


def fill(saver: BaseCheckpointSaver, jokes: int = 3) -> CompiledStateGraph:
    """Run real threads into ``saver``; return the review graph compiled on it.

    Threads: ``review-paused`` waits at its interrupt; ``review-done`` was
    answered; ``review-forked`` was edited at an old step, so it has two
    branches; ``joke-<n>`` ran the tutorial's joke graph, with metadata
    ``{"user": "ann" or "bob", "n": n}``.
    """
    app = builder.compile(checkpointer=saver)
    jokes_app = build_graph().compile(checkpointer=saver)
    for n in range(jokes):
        user = "ann" if n % 2 == 0 else "bob"
        config = {"configurable": {"thread_id": f"joke-{n}"}, "metadata": {"user": user, "n": n}}
        jokes_app.invoke({"topic": f"topic {n}"}, config)
    app.invoke({"topic": "cats"}, {"configurable": {"thread_id": "review-done"}})
    app.invoke(Command(resume="yes"), {"configurable": {"thread_id": "review-done"}})
    forked = {"configurable": {"thread_id": "review-forked"}}
    app.invoke({"topic": "dogs"}, forked)
    app.invoke(Command(resume="no"), forked)
    first_write = next(s for s in app.get_state_history(forked) if s.metadata["step"] == 1)
    app.update_state(first_write.config, {"draft": "a better post"}, as_node="write")
    app.invoke({"topic": "birds"}, {"configurable": {"thread_id": "review-paused"}})
    return app
