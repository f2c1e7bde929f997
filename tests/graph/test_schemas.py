"""State schemas: every flavour LangGraph accepts, seen the way LangGraph shows it.

Each expectation below was read off LangGraph 1.2 running the same program:
what nodes and routers receive, what ``invoke`` returns, what
``get_state().values`` and the history hold.
"""

from __future__ import annotations

import dataclasses
import operator
import typing
from collections.abc import Callable
from typing import Annotated, Any

import pydantic
import pytest
import typing_extensions as te

from cairngraph.channels import (
    AnyValue,
    BinaryOperatorAggregate,
    EphemeralValue,
    LastValue,
    LastValueAfterFinish,
    Topic,
    UntrackedValue,
)
from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidGraphError, InvalidUpdateError
from cairngraph.graph import END, START, MessagesState, StateGraph
from tests.graph.conftest import Driver

CONFIG = {"configurable": {"thread_id": "1"}}


class Seen:
    """What the node and the START router received."""

    def __init__(self) -> None:
        self.node: list[Any] = []
        self.router: list[Any] = []


def one_node(
    schema: Any,
    returns: Any,
    saver: BaseCheckpointSaver | None = None,
    **options: Any,
) -> tuple[Any, Seen]:
    """START -(router)-> n -> END, recording what the node and the router saw."""
    seen = Seen()

    def node(state: Any) -> Any:
        seen.node.append(state)
        return returns(state) if callable(returns) else returns

    def route(state: Any) -> str:
        seen.router.append(state)
        return "n"

    graph = StateGraph(schema, **options)
    graph.add_node("n", node)
    graph.add_conditional_edges(START, route, ["n"])
    graph.add_edge("n", END)
    return graph.compile(checkpointer=saver or InMemorySaver()), seen


# TypedDict flavours


class Plain(te.TypedDict):
    topic: str
    items: Annotated[list[int], operator.add]


class Partial(te.TypedDict, total=False):
    topic: str
    count: te.Required[int]
    items: te.NotRequired[Annotated[list[int], operator.add]]
    label: te.ReadOnly[str]


class Extended(Plain):
    suffix: Annotated[str, operator.add]


class TypingExtended(typing.TypedDict):
    topic: str
    items: Annotated[list[int], operator.add]


def test_typing_extensions_typeddict(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app, seen = one_node(Plain, {"items": [1]}, saver)
    assert driver.invoke(app, {"topic": "cats"}, CONFIG) == {"topic": "cats", "items": [1]}
    assert seen.node == [{"topic": "cats", "items": []}]
    assert seen.router == [{"topic": "cats", "items": []}]
    assert driver.get_state(app, CONFIG).values == {"topic": "cats", "items": [1]}


def test_total_false_required_not_required_read_only(saver: BaseCheckpointSaver) -> None:
    app, seen = one_node(Partial, {"items": [2], "label": "l"}, saver)
    assert app.invoke({"count": 1}, CONFIG) == {"count": 1, "items": [2], "label": "l"}
    assert seen.node == [{"count": 1, "items": []}]
    assert list(app.get_state(CONFIG).values) == ["count", "items", "label"]


def test_subclass_adds_a_reducer_key_after_the_base_keys(saver: BaseCheckpointSaver) -> None:
    app, seen = one_node(Extended, {"suffix": "!", "items": [3]}, saver)
    assert app.invoke({"topic": "x"}, CONFIG) == {"topic": "x", "items": [3], "suffix": "!"}
    assert seen.node == [{"topic": "x", "items": [], "suffix": ""}]
    assert list(app.get_state(CONFIG).values) == ["topic", "items", "suffix"]


def test_typing_typeddict_behaves_the_same() -> None:
    app, seen = one_node(TypingExtended, {"items": [1]})
    assert app.invoke({"topic": "cats"}, CONFIG) == {"topic": "cats", "items": [1]}
    assert seen.router == [{"topic": "cats", "items": []}]


def test_read_only_around_annotated_is_a_plain_key() -> None:
    # LangGraph strips only Required/NotRequired before looking for a reducer.
    class State(te.TypedDict):
        items: te.ReadOnly[Annotated[list[int], operator.add]]

    app, _ = one_node(State, {"items": [2]})
    assert app.invoke({"items": [1]}, CONFIG) == {"items": [2]}


def test_messages_state_subclass(saver: BaseCheckpointSaver) -> None:
    class State(MessagesState):
        extra: str

    app, seen = one_node(State, {"messages": [{"role": "ai", "content": "yo"}]}, saver)
    out = app.invoke({"messages": [{"role": "user", "content": "hi"}], "extra": "e"}, CONFIG)
    assert list(out) == ["messages", "extra"]
    assert out["extra"] == "e"
    assert len(out["messages"]) == 2
    assert len(seen.node[0]["messages"]) == 1


def test_field_order_is_declaration_order() -> None:
    class State(te.TypedDict):
        z: str
        a: str
        m: Annotated[list[int], operator.add]

    app, seen = one_node(State, {"m": [1]})
    assert list(app.invoke({"a": "1", "z": "2"}, CONFIG)) == ["z", "a", "m"]
    assert list(seen.node[0]) == ["z", "a", "m"]


def test_input_and_output_schemas() -> None:
    class In(te.TypedDict):
        question: str

    class Out(te.TypedDict):
        answer: str

    class State(In, Out):
        scratch: str

    app, seen = one_node(State, {"answer": "a", "scratch": "s"}, input_schema=In, output_schema=Out)
    assert app.invoke({"question": "q"}, CONFIG) == {"answer": "a"}
    assert seen.node == [{"question": "q"}]
    assert app.get_state(CONFIG).values == {"question": "q", "answer": "a", "scratch": "s"}


# Dataclasses


@dataclasses.dataclass
class Order:
    item: str
    quantity: int = 1
    notes: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    log: Annotated[list[str], operator.add] = dataclasses.field(default_factory=list)


def test_dataclass_nodes_and_routers_get_instances_with_defaults(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app, seen = one_node(Order, {"log": ["packed"]}, saver)
    assert driver.invoke(app, {"item": "tea"}, CONFIG) == {"item": "tea", "log": ["packed"]}
    assert seen.node == [Order(item="tea")]
    assert seen.router == [Order(item="tea")]
    assert driver.get_state(app, CONFIG).values == {"item": "tea", "log": ["packed"]}


def test_dataclass_instance_as_input_writes_every_field() -> None:
    app, _ = one_node(Order, None)
    assert app.invoke(Order(item="tea"), CONFIG) == {
        "item": "tea",
        "quantity": 1,
        "notes": None,
        "tags": [],
        "log": [],
    }


def test_dataclass_instance_returned_by_a_node_writes_every_field() -> None:
    # Including the reducer key, so its items are added again, as in LangGraph.
    app, _ = one_node(Order, lambda state: Order(item="coffee", log=["x"]))
    out = app.invoke({"item": "tea", "log": ["a"]}, CONFIG)
    assert out == {"item": "coffee", "quantity": 1, "notes": None, "tags": [], "log": ["a", "x"]}


def test_dataclass_missing_required_field_fails_when_a_node_reads_it() -> None:
    app, _ = one_node(Order, None)
    with pytest.raises(TypeError, match="item"):
        app.invoke({"quantity": 2}, CONFIG)


def test_update_state_on_a_dataclass_state(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app, _ = one_node(Order, {"quantity": 3}, saver)
    driver.invoke(app, {"item": "tea"}, CONFIG)
    driver.update_state(app, CONFIG, {"item": "coffee"}, as_node="n")
    assert driver.get_state(app, CONFIG).values == {"item": "coffee", "quantity": 3, "log": []}


# Pydantic models


class Ticket(pydantic.BaseModel):
    title: str
    priority: int = 3
    owner: str | None = None
    due: str | None = "friday"
    history: Annotated[list[str], operator.add] = []


def test_pydantic_nodes_and_routers_get_models(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app, seen = one_node(Ticket, {"history": ["opened"]}, saver)
    assert driver.invoke(app, {"title": "bug"}, CONFIG) == {"title": "bug", "history": ["opened"]}
    assert seen.node == [Ticket(title="bug")]
    assert seen.router == [Ticket(title="bug")]
    assert isinstance(seen.router[0], Ticket)
    assert driver.get_state(app, CONFIG).values == {"title": "bug", "history": ["opened"]}


def test_pydantic_validates_the_input() -> None:
    app, seen = one_node(Ticket, None)
    with pytest.raises(pydantic.ValidationError, match="valid string"):
        app.invoke({"title": 3}, CONFIG)
    with pytest.raises(pydantic.ValidationError, match="Field required"):
        app.invoke({"priority": 1}, {"configurable": {"thread_id": "2"}})
    assert seen.node == []


def test_pydantic_does_not_validate_node_updates() -> None:
    app, _ = one_node(Ticket, {"priority": "high"})
    assert app.invoke({"title": "bug"}, CONFIG) == {
        "title": "bug",
        "priority": "high",
        "history": [],
    }


def test_pydantic_instance_update_skips_unset_nones() -> None:
    # An attribute that is None is written only if it was set or its default is not None.
    app, _ = one_node(Ticket, lambda state: Ticket(title="b2", history=["x"]))
    assert app.invoke({"title": "bug"}, CONFIG) == {
        "title": "b2",
        "priority": 3,
        "due": "friday",
        "history": ["x"],
    }
    app, _ = one_node(Ticket, lambda state: Ticket(title="b2", owner=None, due=None))
    assert app.invoke({"title": "bug"}, CONFIG) == {
        "title": "b2",
        "priority": 3,
        "owner": None,
        "due": None,
        "history": [],
    }


def test_pydantic_instance_as_input() -> None:
    app, _ = one_node(Ticket, None)
    assert app.invoke(Ticket(title="bug"), CONFIG) == {
        "title": "bug",
        "priority": 3,
        "due": "friday",
        "history": [],
    }


# Root schemas: the whole state is one value


@pytest.mark.parametrize(
    ("schema", "given", "returns", "expected"),
    [
        (Annotated[str, operator.add], "x", lambda s: s + "!", "xx!"),
        (Annotated[list, operator.add], [1], lambda s: [2], [1, 2]),
        (int, 1, lambda s: s + 1, 2),
        (str, "x", lambda s: s + "!", "x!"),
        (dict, {"a": 1}, lambda s: {"b": 2}, {"b": 2}),
    ],
    ids=["str-add", "list-add", "int", "str", "dict"],
)
def test_root_schema(
    schema: Any,
    given: Any,
    returns: Callable[[Any], Any],
    expected: Any,
    saver: BaseCheckpointSaver,
    driver: Driver,
) -> None:
    app, seen = one_node(schema, returns, saver)
    assert driver.get_state(app, CONFIG).values == {}
    assert driver.invoke(app, given, CONFIG) == expected
    assert seen.node == [given]
    assert seen.router == [given]
    assert driver.get_state(app, CONFIG).values == expected


def test_root_update_state_and_none_return(saver: BaseCheckpointSaver) -> None:
    app, _ = one_node(Annotated[list, operator.add], None, saver)
    assert app.invoke([1], CONFIG) == [1]
    app.update_state(CONFIG, [9], as_node="n")
    assert app.get_state(CONFIG).values == [1, 9]


# Reducers


def test_reducer_start_values_follow_the_declared_type() -> None:
    class State(te.TypedDict):
        maybe: Annotated[list[int] | None, operator.add]
        text: Annotated[str, operator.add]
        pair: Annotated[tuple[int, ...], operator.add]
        table: Annotated[dict[str, int], operator.or_]
        total: Annotated[int, operator.add]

    app, seen = one_node(State, {"maybe": [1], "total": 2})
    assert seen.node == []
    assert app.invoke({"text": "x"}, CONFIG) == {
        "maybe": [1],
        "text": "x",
        "pair": (),
        "table": {},
        "total": 2,
    }
    assert seen.node == [{"text": "x", "pair": (), "table": {}, "total": 0}]
    first = list(app.get_state_history(CONFIG))[-1]
    assert first.metadata["step"] == -1
    assert first.values == {"text": "", "pair": (), "table": {}, "total": 0}


def keep(current: list[int]) -> list[int]:
    return current


def add_three(current: list[int], update: list[int], extra: int = 1) -> list[int]:
    return current + update


class OneArgument(te.TypedDict):
    items: Annotated[list[int], keep]


class ThreeArguments(te.TypedDict):
    items: Annotated[list[int], add_three]


@pytest.mark.parametrize("schema", [OneArgument, ThreeArguments])
def test_reducer_must_take_two_arguments(schema: Any) -> None:
    with pytest.raises(InvalidGraphError, match="state key 'items': the reducer") as caught:
        StateGraph(schema)
    assert isinstance(caught.value, ValueError)


# Channels declared in the annotation


class Channels(te.TypedDict):
    topic: str
    scratch: Annotated[str, EphemeralValue(str)]
    client: Annotated[str, UntrackedValue(str)]
    step_events: Annotated[list[str], Topic(str)]
    all_events: Annotated[list[str], Topic(str, accumulate=True)]
    flag: Annotated[str, AnyValue(str)]


def test_channels_in_annotations_across_an_interrupt(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def first(state: Channels) -> dict[str, Any]:
        seen.append(("first", dict(state)))
        return {"scratch": "S", "client": "C", "step_events": "e1", "all_events": "a1", "flag": "F"}

    def second(state: Channels) -> dict[str, Any]:
        seen.append(("second", dict(state)))
        return {"topic": "done"}

    def third(state: Channels) -> None:
        seen.append(("third", dict(state)))

    graph = StateGraph(Channels)
    graph.add_sequence([first, second, third])
    graph.add_edge(START, "first")
    app = graph.compile(checkpointer=saver, interrupt_before=["second"])
    written = {"scratch": "S", "step_events": ["e1"], "all_events": ["a1"], "flag": "F"}
    # The run's output still has the untracked value; the checkpoint never does.
    assert driver.invoke(app, {"topic": "x"}, CONFIG) == {"topic": "x", "client": "C", **written}
    assert driver.get_state(app, CONFIG).values == {"topic": "x", **written}
    assert driver.invoke(app, None, CONFIG) == {"topic": "done", "all_events": ["a1"]}
    assert seen == [
        ("first", {"topic": "x"}),
        ("second", {"topic": "x", **written}),
        ("third", {"topic": "done", "all_events": ["a1"]}),
    ]
    driver.update_state(app, CONFIG, {"scratch": "S2", "client": "C2"}, as_node="first")
    assert driver.get_state(app, CONFIG).values == {
        "topic": "done",
        "scratch": "S2",
        "all_events": ["a1"],
    }


def test_ephemeral_value_lasts_one_step_and_may_come_from_the_input() -> None:
    class State(te.TypedDict):
        topic: str
        scratch: Annotated[str, EphemeralValue]  # the class: built as EphemeralValue(str)

    seen: list[dict[str, Any]] = []

    def record(update: dict[str, Any]) -> Callable[[State], dict[str, Any]]:
        def node(state: State) -> dict[str, Any]:
            seen.append(dict(state))
            return update

        return node

    graph = StateGraph(State)
    graph.add_sequence([("a", record({"scratch": "one"})), ("b", record({"topic": "t"}))])
    graph.add_node("c", record({"topic": "u"}))
    graph.add_edge(START, "a")
    graph.add_edge("b", "c")
    app = graph.compile(checkpointer=InMemorySaver())
    assert app.invoke({"topic": "in", "scratch": "given"}, CONFIG) == {"topic": "u"}
    assert seen == [
        {"topic": "in", "scratch": "given"},
        {"topic": "in", "scratch": "one"},
        {"topic": "t"},
    ]
    steps = [(s.metadata["step"], s.values) for s in app.get_state_history(CONFIG)][::-1]
    assert steps == [
        (-1, {}),
        (0, {"topic": "in", "scratch": "given"}),
        (1, {"topic": "in", "scratch": "one"}),
        (2, {"topic": "t"}),
        (3, {"topic": "u"}),
    ]


def fan_out(schema: Any, key: str) -> Any:
    graph = StateGraph(schema)
    graph.add_node("x", lambda state: {key: "x"})
    graph.add_node("y", lambda state: {key: "y"})
    graph.add_edge(START, "x")
    graph.add_edge(START, "y")
    return graph.compile()


def test_any_value_takes_parallel_writes_last_wins() -> None:
    assert fan_out(Channels, "flag").invoke({"topic": "t"}) == {"topic": "t", "flag": "y"}


class GuardedEphemeral(te.TypedDict):
    topic: str
    value: Annotated[str, EphemeralValue(str)]


class GuardedUntracked(te.TypedDict):
    topic: str
    value: Annotated[str, UntrackedValue(str)]


@pytest.mark.parametrize(
    ("schema", "kind"),
    [(GuardedEphemeral, "EphemeralValue"), (GuardedUntracked, "UntrackedValue")],
)
def test_guarded_channels_refuse_parallel_writes_naming_key_and_remedy(
    schema: Any, kind: str
) -> None:
    with pytest.raises(InvalidUpdateError) as caught:
        fan_out(schema, "value").invoke({"topic": "t"})
    message = str(caught.value)
    assert "state key 'value'" in message
    assert f"{kind}(..., guard=False)" in message


def test_unguarded_ephemeral_value_keeps_one_of_parallel_writes() -> None:
    class State(te.TypedDict):
        topic: str
        value: Annotated[str, EphemeralValue(str, guard=False)]

    assert fan_out(State, "value").invoke({"topic": "t"}) == {"topic": "t", "value": "y"}


def test_plain_key_refuses_parallel_writes_naming_key_and_remedy() -> None:
    class State(te.TypedDict):
        topic: Annotated[str, LastValue(str)]

    with pytest.raises(InvalidUpdateError, match=r"state key 'topic'.*Annotated\[list"):
        fan_out(State, "topic").invoke({"topic": "t"})


SHARED = BinaryOperatorAggregate(int, operator.add)


class FirstTotal(te.TypedDict):
    total: Annotated[int, SHARED]


class SecondCount(te.TypedDict):
    count: Annotated[int, SHARED]


def test_a_channel_instance_is_not_shared_between_graphs() -> None:
    one, _ = one_node(FirstTotal, {"total": 2})
    two, _ = one_node(SecondCount, {"count": 5})
    assert one.invoke({"total": 1}, CONFIG) == {"total": 3}
    assert two.invoke({"count": 1}, CONFIG) == {"count": 6}
    assert SHARED.key == ""


def test_finish_channels_are_refused_in_a_state() -> None:
    class State(te.TypedDict):
        late: Annotated[str, LastValueAfterFinish(str)]

    with pytest.raises(InvalidGraphError, match=r"state key 'late'.*LastValueAfterFinish"):
        StateGraph(State)
