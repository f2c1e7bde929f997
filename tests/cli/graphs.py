"""Real graphs the command-line tests run (loaded with ``--graph tests.cli.graphs:NAME``)."""

from __future__ import annotations

import dataclasses
import operator
import os
from typing import Annotated, TypedDict

from cairngraph.graph import END, START, StateGraph
from cairngraph.types import interrupt


@dataclasses.dataclass(frozen=True)
class Order:
    """A registered state type: stored as typed msgpack, never pickle."""

    item: str
    quantity: int


class ReviewState(TypedDict, total=False):
    draft: str
    notes: Annotated[list[str], operator.add]
    order: Order
    verdict: str


def write_draft(state: ReviewState) -> dict[str, object]:
    return {
        "draft": f"draft about {state.get('draft', 'nothing')}",
        "notes": ["drafted"],
    }


def review(state: ReviewState) -> dict[str, object]:
    answer = interrupt({"question": "approve?", "draft": state["draft"]})
    return {"verdict": str(answer), "notes": [f"reviewed: {answer}"]}


def build_review() -> StateGraph:
    graph = StateGraph(ReviewState)
    graph.add_node("write_draft", write_draft)
    graph.add_node("review", review)
    graph.add_edge(START, "write_draft")
    graph.add_edge("write_draft", "review")
    graph.add_edge("review", END)
    return graph


review_builder = build_review()
review_graph = review_builder.compile()


class FlakyState(TypedDict, total=False):
    count: int


def flaky(state: FlakyState) -> dict[str, int]:
    """Fails while the file CAIRN_TEST_FAIL names exists: a node error, then a resume."""
    flag = os.environ.get("CAIRN_TEST_FAIL", "")
    if flag and os.path.exists(flag):
        raise RuntimeError("the flaky node failed on purpose")
    return {"count": state.get("count", 0) + 1}


def build_flaky() -> StateGraph:
    graph = StateGraph(FlakyState)
    graph.add_node("first", lambda state: {"count": state.get("count", 0) + 1})
    graph.add_node("flaky", flaky)
    graph.add_edge(START, "first")
    graph.add_edge("first", "flaky")
    graph.add_edge("flaky", END)
    return graph


class InnerState(TypedDict, total=False):
    topic: str
    steps: Annotated[list[str], operator.add]


def build_nested() -> StateGraph:
    """A parent whose node runs a subgraph: checkpoints in a subgraph namespace."""
    inner = StateGraph(InnerState)
    inner.add_node("inner_a", lambda state: {"steps": ["a"]})
    inner.add_node("inner_b", lambda state: {"steps": ["b"]})
    inner.add_edge(START, "inner_a")
    inner.add_edge("inner_a", "inner_b")
    inner.add_edge("inner_b", END)
    compiled_inner = inner.compile()
    outer = StateGraph(InnerState)
    outer.add_node("sub", compiled_inner)
    outer.add_node("after", lambda state: {"steps": ["after"]})
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "after")
    outer.add_edge("after", END)
    return outer


def order_pens(state: ReviewState) -> dict[str, object]:
    return {"order": Order(item="pens", quantity=3), "notes": ["ordered"]}


def build_typed() -> StateGraph:
    """A graph whose state holds a dataclass: reading it needs the type registered."""
    graph = StateGraph(ReviewState)
    graph.add_node("order_pens", order_pens)
    graph.add_edge(START, "order_pens")
    graph.add_edge("order_pens", END)
    return graph


not_a_graph = 42


def build_loop() -> StateGraph:
    """A graph that never ends: the run hits the recursion limit."""
    graph = StateGraph(FlakyState)
    graph.add_node("again", lambda state: {"count": state.get("count", 0) + 1})
    graph.add_edge(START, "again")
    graph.add_edge("again", "again")
    return graph


def build_invalid() -> StateGraph:
    """A builder that cannot compile: an edge to a node that does not exist."""
    graph = StateGraph(FlakyState)
    graph.add_node("first", lambda state: {"count": 1})
    graph.add_edge(START, "first")
    graph.add_edge("first", "nowhere")
    return graph


# -- State versions: ``cairn migrate --graph`` ------------------------------------------


class RatedState(TypedDict, total=False):
    """Version 1: one rating."""

    topic: str
    rating: int
    summary: str


class RatingsState(TypedDict, total=False):
    """Version 2 (and 3): every rating, appended."""

    topic: str
    ratings: Annotated[list[int], operator.add]
    summary: str


def build_rated_v1() -> StateGraph:
    """Version 1 (declares none): rate, then summarize."""
    graph = StateGraph(RatedState)
    graph.add_node("rate", lambda state: {"rating": len(state["topic"]) % 10})
    graph.add_node("summarize", lambda state: {"summary": f"{state['topic']}: {state['rating']}"})
    graph.add_edge(START, "rate")
    graph.add_edge("rate", "summarize")
    graph.add_edge("summarize", END)
    return graph


def build_rated_v1_asking() -> StateGraph:
    """Version 1, asking a human after rating: its threads wait at an interrupt."""
    graph = StateGraph(RatedState)
    graph.add_node("rate", lambda state: {"rating": len(state["topic"]) % 10})
    graph.add_node("summarize", lambda state: {"summary": str(interrupt("a summary?"))})
    graph.add_edge(START, "rate")
    graph.add_edge("rate", "summarize")
    graph.add_edge("summarize", END)
    return graph


def build_rated_v1_rating_while_asking() -> StateGraph:
    """Version 1, rating and asking in one step: its threads wait with ``rate`` finished."""
    graph = StateGraph(RatedState)
    graph.add_node("rate", lambda state: {"rating": len(state["topic"]) % 10})
    graph.add_node("summarize", lambda state: {"summary": str(interrupt("a summary?"))})
    graph.add_edge(START, "rate")
    graph.add_edge(START, "summarize")
    graph.add_edge(["rate", "summarize"], END)
    return graph


def rating_to_ratings(values: dict[str, object]) -> dict[str, object]:
    """Version 1 -> 2: the single ``rating`` becomes the first of ``ratings``."""
    if "rating" in values:
        values["ratings"] = [values.pop("rating")]
    return values


def _rated_v2(migrations: dict[int, object], version: int = 2) -> StateGraph:
    graph = StateGraph(RatingsState, version=version, migrations=migrations)  # type: ignore[arg-type]
    graph.add_node("rate", lambda state: {"ratings": [len(state["topic"]) % 10]})
    graph.add_node("summarize", lambda state: {"summary": f"{state['topic']}: {state['ratings']}"})
    graph.add_edge(START, "rate")
    graph.add_edge("rate", "summarize")
    graph.add_edge("summarize", END)
    return graph


def build_rated_v2() -> StateGraph:
    """Version 2, migrating version 1's ``rating`` into ``ratings``."""
    return _rated_v2({1: rating_to_ratings})


def build_rated_v3() -> StateGraph:
    """Version 3 (the same state): a newer graph than version 2's."""
    return _rated_v2({1: rating_to_ratings, 2: lambda values: values}, version=3)


def _broken(values: dict[str, object]) -> dict[str, object]:
    raise KeyError("rating_scale")


def build_rated_v2_broken() -> StateGraph:
    """Version 2 whose migration raises."""
    return _rated_v2({1: _broken})


def build_two_levels() -> StateGraph:
    """outer → middle (a subgraph) → inner (its subgraph): namespaces ``middle:…|inner:…``."""
    inner = StateGraph(InnerState)
    inner.add_node("deep_a", lambda state: {"steps": ["deep_a"]})
    inner.add_node("deep_b", lambda state: {"steps": ["deep_b"]})
    inner.add_edge(START, "deep_a")
    inner.add_edge("deep_a", "deep_b")
    inner.add_edge("deep_b", END)
    middle = StateGraph(InnerState)
    middle.add_node("inner", inner.compile())
    middle.add_node("m_after", lambda state: {"steps": ["m_after"]})
    middle.add_edge(START, "inner")
    middle.add_edge("inner", "m_after")
    middle.add_edge("m_after", END)
    outer = StateGraph(InnerState)
    outer.add_node("middle", middle.compile())
    outer.add_node("after", lambda state: {"steps": ["after"]})
    outer.add_edge(START, "middle")
    outer.add_edge("middle", "after")
    outer.add_edge("after", END)
    return outer
