"""The serializer's fast paths give exactly what the general ones give: an object shared
by several values of one save is encoded once (``dumps_shared``), and plain pydantic
models load as ``model_construct`` builds them."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.checkpoint.serde.base import shared_dumps
from cairngraph.checkpoint.serde.msgpack import _constructor


@dataclasses.dataclass
class Counted:
    """Counts how often the encoder reads its field."""

    text: str

    def __getattribute__(self, name: str) -> Any:
        if name == "text":
            READS.append(1)
        return object.__getattribute__(self, name)


READS: list[int] = []


class Plain(BaseModel):
    text: str
    tags: list[str] = Field(default_factory=list)
    level: int = 1
    note: str | None = None
    nested: dict[str, Any] = {"k": [1]}  # a mutable default: pydantic copies it


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    size: int = 0


class Aliased(BaseModel):
    full_name: str = Field(alias="fullName")


class WithPrivate(BaseModel):
    text: str
    _seen: int = PrivateAttr(default=0)


class PostInit(BaseModel):
    text: str
    upper: str = ""

    def model_post_init(self, context: Any) -> None:
        self.upper = self.text.upper()


def _serde() -> MsgpackSerializer:
    serde = MsgpackSerializer()
    serde.register(Counted, Plain, Loose, Aliased, WithPrivate, PostInit)
    return serde


def _same_model(loaded: Any, original: Any) -> None:
    assert type(loaded) is type(original)
    assert loaded.__dict__ == original.__dict__
    assert list(loaded.__dict__) == list(original.__dict__)
    assert loaded.model_fields_set == original.model_fields_set
    assert loaded.__pydantic_extra__ == original.__pydantic_extra__
    assert loaded.__pydantic_private__ == original.__pydantic_private__
    assert repr(loaded) == repr(original)


def test_shared_dumps_reuse_an_object_met_before_with_the_same_bytes() -> None:
    serde = _serde()
    shared = Counted("hello")
    state = {"messages": [shared, Counted("other")]}
    send = {"state": state, "call": ("tool", 1)}
    READS.clear()
    plain = [serde.dumps_typed(state), serde.dumps_typed(send)]
    alone = len(READS)
    READS.clear()
    dumps = serde.dumps_shared()
    assert [dumps(state), dumps(send)] == plain
    assert len(READS) == alone // 2  # each object read once, not once per value
    assert serde.loads_typed(plain[1]) == send


def test_shared_dumps_see_objects_as_they_are_at_their_first_encoding() -> None:
    """One save only: a value changed after its first encoding keeps the first bytes
    (which is why the savers make one ``dumps_shared`` per save)."""
    serde = _serde()
    note = Plain(text="before")
    dumps = serde.dumps_shared()
    first = dumps([note])
    note.text = "after"
    assert dumps([note]) == first
    assert serde.loads_typed(serde.dumps_shared()([note]))[0].text == "after"


def test_encrypted_shared_dumps_seal_each_payload_apart() -> None:
    serde = EncryptedSerializer(_serde(), keys={"k1": os.urandom(32)})
    message = HumanMessage("hi", id="1")
    dumps = shared_dumps(serde)
    one, two = dumps([message]), dumps({"again": [message]})
    assert one[0] == "msgpack+aesgcm" and one[1] != dumps([message])[1]  # fresh nonces
    assert serde.loads_typed(one) == [message]
    assert serde.loads_typed(two) == {"again": [message]}


def test_shared_dumps_fall_back_to_dumps_typed() -> None:
    class Bare:
        def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
            return ("repr", repr(obj).encode())

        def loads_typed(self, data: tuple[str, bytes]) -> Any:
            return data[1].decode()

    assert shared_dumps(Bare())([1]) == ("repr", b"[1]")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "model",
    [
        Plain(text="x"),
        Plain(text="x", tags=["a"], level=3, note="n", nested={}),
        Loose(name="n", colour="green", when=[1, 2]),
        Loose(name="n"),
        AIMessage("", id="a1", tool_calls=[{"name": "t", "args": {"x": 1}, "id": "c1"}]),
        AIMessage("answer", id="a2", response_metadata={"model": "m"}, extra_field=1),
        ToolMessage("4", tool_call_id="c1", name="add", id="t1"),
        HumanMessage("hi"),
    ],
)
def test_models_load_as_model_construct_builds_them(model: BaseModel) -> None:
    serde = _serde()
    loaded = serde.loads_typed(serde.dumps_typed([model, model]))
    _same_model(loaded[0], model)
    _same_model(loaded[1], model)
    assert loaded[0] is not loaded[1] and loaded[0].__dict__ is not loaded[1].__dict__


def test_a_stored_model_missing_fields_gets_fresh_defaults() -> None:
    """A value stored before fields were added: defaults as pydantic makes them, a
    default factory called and a mutable default copied for every instance."""
    construct = _constructor(Plain)
    assert construct is not None
    first, second = construct({"text": "x"}, ()), construct({"text": "y"}, ())
    _same_model(first, Plain.model_construct({"text"}, text="x"))
    first.tags.append("t")
    first.nested["k"].append(2)
    assert second.tags == [] and second.nested == {"k": [1]}
    assert Plain.model_fields["nested"].default == {"k": [1]}


@pytest.mark.parametrize("cls", [Aliased, WithPrivate, PostInit])
def test_models_with_aliases_private_attributes_or_post_init_use_pydantic(cls: Any) -> None:
    assert _constructor(cls) is None
    serde = _serde()
    model = cls(fullName="A B") if cls is Aliased else cls(text="x")
    _same_model(serde.loads_typed(serde.dumps_typed(model)), model)
