"""The safe serializer: what round-trips, what is refused, and encryption."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import os
import uuid
from typing import Annotated, Any, NamedTuple, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.errors import (
    CorruptDataError,
    DecryptionError,
    InvalidConfigError,
    UnregisteredTypeError,
)


class Color(enum.Enum):
    RED = "red"
    BLUE = 2


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: float
    label: str = ""


class Pair(NamedTuple):
    left: Any
    right: Any


@dataclasses.dataclass
class Order:
    id: uuid.UUID
    points: list[Point]
    color: Color
    created: dt.datetime
    pair: Pair | None = None


def make() -> MsgpackSerializer:
    serde = MsgpackSerializer()
    serde.register(Order)
    return serde


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.datetimes()
    | st.datetimes(timezones=st.timezones())
    | st.dates()
    | st.times()
    | st.timedeltas()
    | st.uuids()
    | st.decimals(allow_nan=False)
    | st.sampled_from(list(Color))
    | st.builds(Point, st.integers(), st.floats(allow_nan=False), st.text())
)
hashables = scalars.filter(lambda value: not isinstance(value, bytes | float)) | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(hashables, inner, max_size=3)
        | st.frozensets(hashables, max_size=3)
        | st.sets(st.integers() | st.text(), max_size=3)
        | st.builds(Pair, inner, inner)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_every_registered_type_round_trips(value: Any) -> None:
    serde = make()
    serde.register(Pair, Point, Color)
    loaded = serde.loads_typed(serde.dumps_typed(value))
    assert loaded == value
    assert type(loaded) is type(value)


def test_schema_registration_walks_annotations() -> None:
    class State(TypedDict):
        order: Annotated[list[Order], "meta"]
        extra: dict[str, Point] | None

    serde = MsgpackSerializer()
    serde.register(State)
    order = Order(uuid.uuid4(), [Point(1, 2.0)], Color.RED, dt.datetime.now(dt.UTC))
    assert serde.loads_typed(serde.dumps_typed({"order": [order]})) == {"order": [order]}
    assert {"tests.checkpoint.serde.test_serde.Color"} <= set(serde.registry.names())


def test_pydantic_models_round_trip() -> None:
    from pydantic import BaseModel

    class Inner(BaseModel):
        tags: set[str]

    class Model(BaseModel):
        name: str
        inner: Inner
        when: dt.date

    serde = MsgpackSerializer()
    serde.register(Model)
    value = Model(name="x", inner=Inner(tags={"a"}), when=dt.date(2026, 1, 2))
    assert serde.loads_typed(serde.dumps_typed(value)) == value


def test_langchain_messages_round_trip() -> None:
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    serde = MsgpackSerializer()
    messages = [
        HumanMessage(content="hi", id="1"),
        AIMessage(content="", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}]),
        ToolMessage(content="done", tool_call_id="c1"),
    ]
    assert serde.loads_typed(serde.dumps_typed(messages)) == messages


def test_unregistered_types_are_refused_both_ways() -> None:
    class Secret:
        pass

    serde = MsgpackSerializer()
    with pytest.raises(UnregisteredTypeError, match=r"Secret.*register"):
        serde.dumps_typed({"x": Secret()})
    writer = make()
    payload = writer.dumps_typed(Order(uuid.uuid4(), [], Color.BLUE, dt.datetime(2026, 1, 1)))
    with pytest.raises(UnregisteredTypeError, match=r"test_serde\.(Order|Color) cannot be loaded"):
        MsgpackSerializer().loads_typed(payload)


def test_corrupt_bytes_raise() -> None:
    serde = make()
    with pytest.raises(CorruptDataError):
        serde.loads_typed(("msgpack", b"\xc1\xff\x00"))
    with pytest.raises(CorruptDataError, match="'pickle'"):
        serde.loads_typed(("pickle", b"whatever"))


def _key() -> bytes:
    return os.urandom(32)


def test_encryption_round_trip_and_rotation() -> None:
    old, new = _key(), _key()
    first = EncryptedSerializer(make(), keys={"k1": old})
    sealed = first.dumps_typed({"secret": "value"})
    assert sealed[0] == "msgpack+aesgcm" and b"value" not in sealed[1]
    rotated = EncryptedSerializer(make(), keys={"k2": new, "k1": old})
    assert rotated.loads_typed(sealed) == {"secret": "value"}
    assert rotated.dumps_typed(1)[1][2:4] == b"k2"
    with pytest.raises(DecryptionError, match="key 'k1'"):
        EncryptedSerializer(make(), keys={"k2": new}).loads_typed(sealed)


def test_wrong_key_and_tampering_are_errors() -> None:
    serde = EncryptedSerializer(make(), keys={"k": _key()})
    tag, data = serde.dumps_typed({"a": 1})
    impostor = EncryptedSerializer(make(), keys={"k": _key()})
    with pytest.raises(DecryptionError, match="wrong key or tampered"):
        impostor.loads_typed((tag, data))
    flipped = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(DecryptionError):
        serde.loads_typed((tag, flipped))
    with pytest.raises(DecryptionError):
        serde.loads_typed(("bytes+aesgcm", data))
    plain = make().dumps_typed({"old": True})
    assert serde.loads_typed(plain) == {"old": True}
    strict = EncryptedSerializer(make(), keys={"k": _key()}, allow_plaintext=False)
    with pytest.raises(DecryptionError, match="not encrypted"):
        strict.loads_typed(plain)


def test_keys_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _key(), _key()
    encoded = ",".join(
        f"{name}:{base64.b64encode(key).decode()}" for name, key in (("a", first), ("b", second))
    )
    monkeypatch.setenv("CAIRNGRAPH_ENCRYPTION_KEYS", encoded)
    serde = EncryptedSerializer.from_env()
    assert serde.active_key_id == "a"
    assert serde.loads_typed(serde.dumps_typed([1, 2])) == [1, 2]
    monkeypatch.setenv("CAIRNGRAPH_ENCRYPTION_KEYS", "bad:" + base64.b64encode(b"short").decode())
    with pytest.raises(InvalidConfigError, match="32"):
        EncryptedSerializer.from_env()
    monkeypatch.delenv("CAIRNGRAPH_ENCRYPTION_KEYS")
    with pytest.raises(InvalidConfigError, match="CAIRNGRAPH_ENCRYPTION_KEY"):
        EncryptedSerializer.from_env()
