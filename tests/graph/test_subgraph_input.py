"""A subgraph added as a node receives only the parent keys its input schema has.

LangGraph passes the parent's whole state to a compiled subgraph node and the
subgraph keeps the keys it knows, silently; the parent likewise keeps only its own
keys of the subgraph's output, in sync and async runs alike. cairngraph warns about an unknown
input key (an error under ``strict=True``); that rule is for a caller's own
input, so a parent's extra keys must not trip it.
"""

from __future__ import annotations

import asyncio
import operator
import warnings
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidUpdateError, UnknownKeyWarning
from cairngraph.graph import START, StateGraph
from tests.graph.conftest import Driver


class Parent(TypedDict):
    topic: str
    secret: str
    notes: Annotated[list[str], operator.add]


class Child(TypedDict):
    topic: str
    notes: Annotated[list[str], operator.add]


def _child(*, strict: bool) -> Any:
    child = StateGraph(Child)
    child.add_node("research", lambda s: {"notes": [f"research {s['topic']}"]})
    child.add_edge(START, "research")
    return child.compile(strict=strict)


def _parent(child: Any) -> Any:
    parent = StateGraph(Parent)
    parent.add_node("child", child)
    parent.add_edge(START, "child")
    return parent.compile(checkpointer=InMemorySaver())


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def test_parent_keys_the_subgraph_lacks_neither_warn_nor_fail() -> None:
    graph = _parent(_child(strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownKeyWarning)
        result = graph.invoke({"topic": "moss", "secret": "s", "notes": []}, _config("sync"))
        again = asyncio.run(
            graph.ainvoke({"topic": "fern", "secret": "s", "notes": []}, _config("async"))
        )
    assert result == {"topic": "moss", "secret": "s", "notes": ["research moss"]}
    assert again["notes"] == ["research fern"]


def test_the_subgraph_still_checks_its_own_callers_input() -> None:
    with pytest.warns(UnknownKeyWarning, match="the input wrote key 'secret'"):
        _child(strict=False).invoke({"topic": "moss", "secret": "s", "notes": []})
    with pytest.raises(InvalidUpdateError, match="'secret'"):
        _child(strict=True).invoke({"topic": "moss", "secret": "s", "notes": []})


class Scratch(TypedDict):
    topic: str
    notes: Annotated[list[str], operator.add]
    draft: str


def test_subgraph_output_keys_the_parent_lacks_are_dropped_silently(driver: Driver) -> None:
    # The async path once passed the subgraph's whole output on: ``draft`` warned.
    child = StateGraph(Scratch)
    child.add_node("write", lambda s: {"draft": "d", "notes": [f"wrote {s['topic']}"]})
    child.add_edge(START, "write")
    graph = _parent(child.compile(strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownKeyWarning)
        result = driver.invoke(graph, {"topic": "moss", "secret": "s", "notes": []}, _config("out"))
    assert result == {"topic": "moss", "secret": "s", "notes": ["wrote moss"]}
