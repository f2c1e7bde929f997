"""Subclasses of builtins: known value-only ones save as the builtin, others when registered."""

from __future__ import annotations

import collections
import dataclasses
import enum
from typing import Any, TypedDict

import ormsgpack
import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry
from cairngraph.errors import CorruptDataError, UnregisteredTypeError, UnstorableTypeError
from cairngraph.graph import END, START, StateGraph

messages = pytest.importorskip("langchain_core.messages")


def fresh() -> MsgpackSerializer:
    return MsgpackSerializer(TypeRegistry())


def round_trip(serde: MsgpackSerializer, value: Any) -> Any:
    return serde.loads_typed(serde.dumps_typed(value))


class UserId(str):
    """A value-only subclass a user writes."""

    def domain(self) -> str:
        return self.split("@")[-1]


class Loud(str):
    def __str__(self) -> str:
        return "LOUD"


class Tagged(str):
    __slots__ = ("tag",)


class Mood(str, enum.Enum):  # noqa: UP042 - the pre-3.11 spelling of a str Enum
    HAPPY = "happy"


class Level(enum.StrEnum):
    LOW = "low"


def test_message_text_round_trips_as_a_plain_str() -> None:
    text = messages.AIMessage(content="hello").text
    assert type(text).__name__ == "TextAccessor"
    loaded = round_trip(fresh(), {"text": text, "many": [text, (text,)], text: text})
    assert loaded == {"text": "hello", "many": ["hello", ("hello",)], "hello": "hello"}
    assert type(loaded["text"]) is str
    assert type(loaded["many"][1][0]) is str
    assert all(type(key) is str for key in loaded)
    assert round_trip(fresh(), text) == "hello"


def test_a_graph_can_keep_message_text_in_its_state() -> None:
    class Answer(TypedDict):
        question: str
        text: str

    def answer(state: Answer) -> dict[str, Any]:
        return {"text": messages.AIMessage(content=f"re: {state['question']}").text}

    builder = StateGraph(Answer)
    builder.add_node("answer", answer)
    builder.add_edge(START, "answer")
    builder.add_edge("answer", END)
    saver = InMemorySaver()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "text"}}
    graph.invoke({"question": "why"}, config)  # type: ignore[arg-type]
    values = graph.get_state(config).values  # type: ignore[arg-type]
    assert values == {"question": "why", "text": "re: why"}
    assert type(values["text"]) is str  # loaded from the saver's bytes, not kept in memory


def test_addable_dict_is_saved_as_a_dict() -> None:
    utils = pytest.importorskip("langchain_core.runnables.utils")
    loaded = round_trip(fresh(), [utils.AddableDict(a=1, b={2: "non-str key"})])
    assert loaded == [{"a": 1, "b": {2: "non-str key"}}]
    assert type(loaded[0]) is dict


def test_a_known_subclass_carrying_attributes_is_still_refused() -> None:
    utils = pytest.importorskip("langchain_core.runnables.utils")
    chunk = utils.AddableDict(a=1)
    chunk.source = "stream"
    with pytest.raises(UnstorableTypeError, match=r"AddableDict.*carries attributes \(source\)"):
        fresh().dumps_typed(chunk)


def test_str_enums_are_stored_as_members_as_before() -> None:
    serde = fresh()
    serde.register(Mood, Level)
    loaded = round_trip(serde, {"mood": Mood.HAPPY, "level": Level.LOW})
    assert loaded["mood"] is Mood.HAPPY
    assert loaded["level"] is Level.LOW
    with pytest.raises(UnregisteredTypeError, match=r"Mood.*not registered.*register\(Mood\)"):
        fresh().dumps_typed(Mood.HAPPY)


def test_an_unregistered_user_subclass_is_refused_naming_it_and_the_remedy() -> None:
    with pytest.raises(UnregisteredTypeError) as caught:
        fresh().dumps_typed({"user": UserId("ada@example.org")})
    message = str(caught.value)
    assert f"{__name__}.UserId cannot be saved" in message
    assert "subclass of str" in message
    assert "serde.register(UserId)" in message


def test_an_unregistered_user_subclass_with_attributes_is_refused_clearly() -> None:
    user = UserId("ada@example.org")
    user.verified = True  # type: ignore[attr-defined]
    with pytest.raises(UnregisteredTypeError) as caught:
        fresh().dumps_typed([user])
    message = str(caught.value)
    assert "UserId cannot be saved" in message
    assert "carries attributes (verified)" in message
    assert "cairngraph.checkpoint.serde.register(MyModel)" in message


def test_a_set_slot_counts_as_an_attribute() -> None:
    serde = fresh()
    serde.register(Tagged)
    assert type(round_trip(serde, Tagged("x"))) is Tagged  # slot unset: value only
    tagged = Tagged("x")
    tagged.tag = "t"
    with pytest.raises(UnregisteredTypeError, match=r"carries attributes \(tag\)"):
        serde.dumps_typed(tagged)


def test_a_registered_user_subclass_loads_as_itself() -> None:
    serde = fresh()
    serde.register(UserId, Loud)
    loaded = round_trip(serde, {"user": UserId("ada@example.org"), "loud": Loud("quiet")})
    assert type(loaded["user"]) is UserId
    assert loaded["user"].domain() == "example.org"
    assert type(loaded["loud"]) is Loud
    assert str.__str__(loaded["loud"]) == "quiet"  # the subclass's __str__ was not used to save


def test_registered_but_carrying_attributes_is_refused() -> None:
    serde = fresh()
    serde.register(UserId)
    user = UserId("x")
    user.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(UnregisteredTypeError, match="carries attributes"):
        serde.dumps_typed(user)


@pytest.mark.parametrize(
    ("base", "value"),
    [
        (int, 2**70),
        (float, 1.5),
        (bytes, b"\x00raw"),
        (list, [1, (2, 3)]),
        (dict, {"a": 1, 2: "b"}),
        (tuple, (1, "two")),
    ],
    ids=lambda v: getattr(v, "__name__", None) or "value",
)
def test_every_builtin_base_round_trips_when_registered(base: type, value: Any) -> None:
    cls = type(f"My{base.__name__.title()}", (base,), {"__module__": __name__})
    serde = fresh()
    serde.register(cls)
    loaded = round_trip(serde, {"v": cls(value)})
    assert type(loaded["v"]) is cls
    assert loaded["v"] == value


def test_a_state_schema_field_registers_its_subclass() -> None:
    @dataclasses.dataclass
    class Account:
        owner: UserId

    serde = fresh()
    serde.register(Account)
    assert type(round_trip(serde, Account(UserId("a"))).owner) is UserId


def test_subclasses_written_in_c_are_refused_and_not_registrable() -> None:
    in_c = r"OrderedDict.*subclass of dict written \(at least partly\) in C"
    with pytest.raises(UnregisteredTypeError, match=in_c):
        fresh().dumps_typed(collections.OrderedDict(a=1))
    with pytest.raises(UnregisteredTypeError, match=r"cannot register collections\.defaultdict"):
        fresh().register(collections.defaultdict)


def test_loading_a_subclass_value_builds_only_registered_classes() -> None:
    writer = fresh()
    writer.register(UserId)
    payload = writer.dumps_typed(UserId("a"))
    with pytest.raises(UnregisteredTypeError, match=r"UserId cannot be loaded"):
        fresh().loads_typed(payload)
    forged = ormsgpack.packb(ormsgpack.Ext(14, ormsgpack.packb(["os.system", "echo hi"])))
    with pytest.raises(UnregisteredTypeError, match=r"os\.system cannot be loaded"):
        fresh().loads_typed(("msgpack", forged))


def test_a_subclass_value_of_the_wrong_shape_is_corrupt() -> None:
    serde = fresh()
    serde.register(UserId, Mood)
    wrong_type = ormsgpack.packb(ormsgpack.Ext(14, ormsgpack.packb([f"{__name__}.UserId", 5])))
    with pytest.raises(CorruptDataError, match="not a subclass of int"):
        serde.loads_typed(("msgpack", wrong_type))
    not_a_value = ormsgpack.packb(ormsgpack.Ext(14, ormsgpack.packb([f"{__name__}.Mood", "x"])))
    with pytest.raises(CorruptDataError, match="stored as enum"):
        serde.loads_typed(("msgpack", not_a_value))
