"""Building and checking graphs; the message reducer; channels."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

import pytest

from cairngraph.errors import InvalidGraphError, InvalidUpdateError
from cairngraph.graph import END, START, MessagesState, StateGraph, add_messages
from cairngraph.types import Command


class State(TypedDict, total=False):
    topic: str
    joke: str


def test_validation_reports_every_problem_at_once() -> None:
    graph = StateGraph(State)
    graph.add_node("generate", lambda s: {"joke": "j"})
    graph.add_edge("generate", "explian")
    graph.add_edge("ghost", "generate")
    graph.add_conditional_edges("generate", lambda s: "x", {"x": "nowhere"})
    with pytest.raises(InvalidGraphError) as caught:
        graph.compile(interrupt_before=["nope"])
    problems = caught.value.problems
    text = "\n".join(problems)
    assert "unknown target node 'explian'" in text
    assert "unknown source node 'ghost'" in text
    assert "path map entry 'x' -> 'nowhere'" in text
    assert "interrupt_before/after names unknown node 'nope'" in text
    assert "no entry point" in text
    assert len(problems) == 5
    assert isinstance(caught.value, ValueError)


def test_command_destinations_must_name_nodes() -> None:
    """As LangGraph: a ``Command[Literal[...]]`` annotation or ``destinations=`` naming a
    node the graph lacks fails compile (a subgraph cannot name its parent's nodes)."""

    def annotated(state: State) -> Command[Literal["elsewhere"]]:
        return Command(goto="elsewhere")

    graph = StateGraph(State)
    graph.add_node("annotated", annotated)
    graph.add_node("listed", lambda s: {}, destinations=("annotated", "nowhere"))
    graph.add_edge(START, "annotated")
    graph.add_edge(START, "listed")
    with pytest.raises(InvalidGraphError) as caught:
        graph.compile()
    assert len(caught.value.problems) == 2
    assert "'annotated' may go to unknown node 'elsewhere'" in caught.value.problems[0]
    assert "'listed' may go to unknown node 'nowhere'" in caught.value.problems[1]


def test_node_with_no_way_in_is_reported() -> None:
    def first(state: State) -> dict[str, str]:
        return {"joke": "j"}

    def orphan(state: State) -> dict[str, str]:
        return {"joke": "never"}

    graph = StateGraph(State)
    graph.add_node("first", first)
    graph.add_node("orphan", orphan)
    graph.add_edge(START, "first")
    with pytest.raises(InvalidGraphError, match="node 'orphan' has no way in"):
        graph.compile()


def test_node_names_are_checked() -> None:
    graph = StateGraph(State)
    graph.add_node("a", lambda s: {})
    with pytest.raises(InvalidGraphError, match="already exists"):
        graph.add_node("a", lambda s: {})
    with pytest.raises(InvalidGraphError, match="reserved"):
        graph.add_node(START, lambda s: {})
    with pytest.raises(InvalidGraphError, match="may not contain"):
        graph.add_node("a:b", lambda s: {})


def test_add_sequence_and_entry_finish_points() -> None:
    def one(state: State) -> dict[str, str]:
        return {"joke": "1"}

    def two(state: State) -> dict[str, str]:
        return {"joke": state["joke"] + "2"}

    graph = StateGraph(State)
    graph.add_sequence([one, ("two", two)])
    graph.set_entry_point("one")
    graph.set_finish_point("two")
    assert graph.compile().invoke({"topic": "t"}) == {"topic": "t", "joke": "12"}


def test_two_writes_to_a_plain_key_in_one_step_name_the_key() -> None:
    graph = StateGraph(State)
    graph.add_node("a", lambda s: {"joke": "a"})
    graph.add_node("b", lambda s: {"joke": "b"})
    graph.add_conditional_edges(START, lambda s: ["a", "b"])
    with pytest.raises(InvalidUpdateError, match="state key 'joke' received 2 values"):
        graph.compile().invoke({"topic": "t"})


def test_reducer_key_starts_from_empty_value() -> None:
    class Counted(TypedDict):
        n: Annotated[int, operator.add]
        items: Annotated[list[str], operator.add]

    graph = StateGraph(Counted)
    graph.add_node("a", lambda s: {"n": 2, "items": ["x"]})
    graph.add_edge(START, "a")
    graph.add_edge("a", END)
    assert graph.compile().invoke({}) == {"n": 2, "items": ["x"]}


def test_add_messages_appends_replaces_and_removes_dicts() -> None:
    from langchain_core.messages import RemoveMessage

    first = add_messages([], [{"id": "1", "role": "user", "content": "hi"}])
    assert [m.content for m in first] == ["hi"]
    second = add_messages(first, [{"id": "2", "role": "assistant", "content": "hello"}])
    assert [m.content for m in second] == ["hi", "hello"]
    assert second[0] is first[0]
    replaced = add_messages(second, [{"id": "1", "role": "user", "content": "hey"}])
    assert [m.content for m in replaced] == ["hey", "hello"]
    removed = add_messages(replaced, [RemoveMessage(id="2")])
    assert [m.content for m in removed] == ["hey"]
    with pytest.raises(ValueError, match="no message with that id"):
        add_messages(removed, [RemoveMessage(id="missing")])


def test_messages_state_in_a_graph_assigns_ids() -> None:
    graph = StateGraph(MessagesState)
    graph.add_node(
        "bot", lambda s: {"messages": [("assistant", f"echo {s['messages'][-1].content}")]}
    )
    graph.add_edge(START, "bot")
    result = graph.compile().invoke({"messages": [("user", "ping")]})
    assert [m.content for m in result["messages"]] == ["ping", "echo ping"]
    assert all(m.id for m in result["messages"])


def test_input_and_output_schemas() -> None:
    class Inner(TypedDict, total=False):
        topic: str
        joke: str
        secret: str

    class In(TypedDict):
        topic: str

    class Out(TypedDict):
        joke: str

    graph = StateGraph(Inner, input_schema=In, output_schema=Out)
    graph.add_node("a", lambda s: {"joke": f"about {s['topic']}", "secret": "s"})
    graph.add_edge(START, "a")
    assert graph.compile().invoke({"topic": "t"}) == {"joke": "about t"}
