"""JsonPlusSerializer: LangGraph's name and constructor over our safe serializer."""

from __future__ import annotations

import dataclasses
import operator
from typing import Annotated, TypedDict

import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.serde import MsgpackSerializer, SerializerProtocol, TypeRegistry
from cairngraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from cairngraph.errors import InvalidConfigError, UnregisteredTypeError
from cairngraph.graph import END, START, StateGraph


@dataclasses.dataclass(frozen=True)
class Order:
    id: int


@dataclasses.dataclass(frozen=True)
class Refund:
    order: int


class Jokes(TypedDict):
    topic: str
    jokes: Annotated[list[str], operator.add]


def joke_graph(saver: InMemorySaver) -> object:
    builder = StateGraph(Jokes)
    builder.add_node("write", lambda state: {"jokes": [f"a joke about {state['topic']}"]})
    builder.add_edge(START, "write")
    builder.add_edge("write", END)
    return builder.compile(checkpointer=saver)


def test_a_saver_with_jsonplus_round_trips_a_graphs_state() -> None:
    saver = InMemorySaver(serde=JsonPlusSerializer())
    graph = joke_graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"topic": "cairns", "jokes": []}, config)  # type: ignore[attr-defined]
    graph.invoke({"topic": "stones", "jokes": []}, config)  # type: ignore[attr-defined]
    values = graph.get_state(config).values  # type: ignore[attr-defined]
    assert values == {"topic": "stones", "jokes": ["a joke about cairns", "a joke about stones"]}
    tag, _ = saver.serde.dumps_typed(values)
    assert tag == "msgpack"


def test_it_is_our_serializer_and_speaks_the_saver_protocol() -> None:
    serde = JsonPlusSerializer()
    assert isinstance(serde, MsgpackSerializer)
    assert isinstance(serde, SerializerProtocol)
    assert serde.pickle_fallback is False
    assert serde.loads_typed(serde.dumps_typed({"when": (1, b"x")})) == {"when": (1, b"x")}
    assert serde.dumps_typed(None) == ("null", b"")
    assert serde.dumps_typed(b"raw") == ("bytes", b"raw")
    # Payloads are the same as MsgpackSerializer's: either reads the other.
    assert MsgpackSerializer().loads_typed(serde.dumps_typed([1, {2, 3}])) == [1, {2, 3}]


def test_pickle_fallback_is_refused_with_the_remedy() -> None:
    with pytest.raises(InvalidConfigError, match=r"never uses pickle") as caught:
        JsonPlusSerializer(pickle_fallback=True)
    assert "cairngraph.checkpoint.serde.register(MyType)" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    JsonPlusSerializer(pickle_fallback=False)  # LangGraph's default, spelled out, is fine


@pytest.mark.parametrize("keyword", ["picke_fallback", "__unpack_ext_hook__", "registy"])
def test_an_unknown_keyword_is_a_type_error_naming_it(keyword: str) -> None:
    with pytest.raises(TypeError, match=keyword):
        JsonPlusSerializer(**{keyword: None})


def test_allowed_msgpack_modules_registers_classes_and_pairs() -> None:
    by_class = JsonPlusSerializer(allowed_msgpack_modules=[Order], registry=TypeRegistry())
    by_pair = JsonPlusSerializer(
        allowed_msgpack_modules=[(__name__, "Refund")], registry=TypeRegistry()
    )
    assert by_class.loads_typed(by_class.dumps_typed([Order(1)])) == [Order(1)]
    assert by_pair.loads_typed(by_pair.dumps_typed(Refund(2))) == Refund(2)
    with pytest.raises(UnregisteredTypeError, match="Refund"):
        by_class.dumps_typed(Refund(2))


def test_allowed_json_modules_registers_too_and_true_adds_nothing() -> None:
    serde = JsonPlusSerializer(allowed_json_modules=[Order], registry=TypeRegistry())
    assert serde.loads_typed(serde.dumps_typed(Order(3))) == Order(3)
    everything = JsonPlusSerializer(allowed_msgpack_modules=True, registry=TypeRegistry())
    with pytest.raises(UnregisteredTypeError, match="Order"):
        everything.dumps_typed(Order(3))


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        ([("no_such_module_anywhere", "X")], "names no class of an imported module"),
        ([(__name__, "joke_graph")], "not a class"),
        (["Order"], "must be a class or a"),
        ("Order", "must be classes or"),
    ],
    ids=["missing-module", "not-a-class", "bare-string-entry", "bare-string"],
)
def test_a_bad_allow_list_entry_is_named(allowed: object, message: str) -> None:
    with pytest.raises(InvalidConfigError, match=message):
        JsonPlusSerializer(allowed_msgpack_modules=allowed)  # type: ignore[arg-type]


def test_with_msgpack_allowlist_extends_a_copy() -> None:
    base = JsonPlusSerializer(registry=TypeRegistry())
    wider = base.with_msgpack_allowlist([Order])
    assert wider.loads_typed(wider.dumps_typed(Order(4))) == Order(4)
    with pytest.raises(UnregisteredTypeError):
        base.dumps_typed(Order(4))
