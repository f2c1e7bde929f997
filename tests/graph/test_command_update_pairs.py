"""``Command(update=[(key, value), ...])``: every pair is a write, as in LangGraph."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.errors import InvalidUpdateError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command
from tests.graph.conftest import Driver


class State(TypedDict):
    notes: Annotated[list[str], operator.add]
    last: str


def _graph(update: Any) -> Any:
    graph = StateGraph(State)
    graph.add_node("n", lambda s: Command(update=update))
    graph.add_edge(START, "n")
    return graph.compile()


def test_a_key_given_twice_is_written_twice(driver: Driver) -> None:
    app = _graph([("notes", ["a"]), ("notes", ["b"]), ("last", "n")])
    assert driver.invoke(app, {"notes": [], "last": ""}) == {"notes": ["a", "b"], "last": "n"}
    chunks = driver.stream(app, {"notes": [], "last": ""}, stream_mode="updates")
    assert chunks == [{"n": [{"notes": ["a"]}, {"notes": ["b"]}, {"last": "n"}]}]


def test_pairs_with_distinct_keys_stream_as_one_dict(driver: Driver) -> None:
    app = _graph((("notes", ["a"]), ("last", "n")))
    chunks = driver.stream(app, {"notes": [], "last": ""}, stream_mode="updates")
    assert chunks == [{"n": {"notes": ["a"], "last": "n"}}]


def test_an_item_that_is_not_a_pair_is_refused() -> None:
    app = _graph([("notes", ["a"], "extra")])
    with pytest.raises(InvalidUpdateError, match="pairs"):
        app.invoke({"notes": [], "last": ""})
