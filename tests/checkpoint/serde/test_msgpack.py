"""MsgpackSerializer: every supported type round-trips exactly, nested at any depth."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import uuid
from typing import Any, NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from cairngraph.checkpoint.serde import MsgpackSerializer


class Color(enum.Enum):
    RED = "red"
    BLUE = 2
    PAIR = (1, "x")


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


class Level(enum.StrEnum):
    LOW = "low"
    HIGH = "high"


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class Box:
    items: list[Any]
    size: Size = Size.SMALL
    computed: int = dataclasses.field(init=False, default=0)


class Pair(NamedTuple):
    left: Any
    right: Any


class Note(BaseModel):
    text: str
    level: Level = Level.LOW
    tags: frozenset[str] = frozenset()


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


def make() -> MsgpackSerializer:
    serde = MsgpackSerializer()
    serde.register(Color, Size, Level, Point, Box, Pair, Note, Loose)
    return serde


def assert_same(left: Any, right: Any) -> None:
    """Equal, and of the same types all the way down (datetime zones and folds too)."""
    assert type(left) is type(right), (left, right)
    if isinstance(left, float):
        assert (math.isnan(left) and math.isnan(right)) or (
            left == right and math.copysign(1, left) == math.copysign(1, right)
        )
    elif isinstance(left, decimal.Decimal):
        assert str(left) == str(right)
    elif isinstance(left, dt.datetime | dt.time):
        assert left == right and left.fold == right.fold
        assert repr(left.tzinfo) == repr(right.tzinfo)
    elif isinstance(left, dict):
        assert list(left) == list(right)
        for (key, value), (other_key, other_value) in zip(left.items(), right.items(), strict=True):
            assert_same(key, other_key)
            assert_same(value, other_value)
    elif isinstance(left, list | tuple):
        assert len(left) == len(right)
        for item, other in zip(left, right, strict=True):
            assert_same(item, other)
    elif dataclasses.is_dataclass(left) and not isinstance(left, type):
        for field in dataclasses.fields(left):
            assert_same(getattr(left, field.name), getattr(right, field.name))
    elif isinstance(left, BaseModel):
        assert left.model_fields_set == right.model_fields_set
        assert_same(left.__pydantic_extra__, right.__pydantic_extra__)
        for name in type(left).model_fields:
            assert_same(getattr(left, name), getattr(right, name))
    else:
        assert left == right


fixed_zones = st.builds(
    dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23))
) | st.builds(
    dt.timezone,
    st.timedeltas(min_value=dt.timedelta(hours=-2), max_value=dt.timedelta(hours=2)),
    st.text(min_size=1, max_size=5),
)
zones = st.none() | st.timezones() | fixed_zones | st.just(dt.UTC)
hashable_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**64, max_value=2**200)
    | st.integers(min_value=-(2**200), max_value=-(2**63) - 1)
    | st.text()
    | st.binary(max_size=8)
    | st.datetimes(timezones=zones)
    | st.dates()
    | st.times(timezones=zones)
    | st.timedeltas()
    | st.uuids()
    | st.decimals(allow_nan=False)
    | st.sampled_from([*Color, *Size, *Level])
    | st.builds(Point, st.integers(), st.floats(allow_nan=False), st.text())
)
scalars = (
    hashable_scalars
    | st.floats()
    | st.decimals()
    | st.builds(Note, text=st.text(), level=st.sampled_from(Level))
    | st.builds(Note, text=st.text(), tags=st.frozensets(st.text(max_size=3), max_size=3))
)
hashable_values = st.recursive(
    hashable_scalars,
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=4,
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(hashable_values, inner, max_size=3)
        | st.frozensets(hashable_values, max_size=3)
        | st.sets(hashable_values, max_size=3)
        | st.builds(Pair, inner, inner)
        | st.builds(Box, st.lists(inner, max_size=3), st.sampled_from(Size))
        | st.builds(Loose, name=st.text(), extra=inner)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_every_supported_type_round_trips_nested(value: Any) -> None:
    serde = make()
    tag, payload = serde.dumps_typed(value)
    assert_same(serde.loads_typed((tag, payload)), value)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=8),
        st.lists(
            st.dictionaries(st.text(max_size=8), st.text() | st.integers(-(2**63), 2**64 - 1)),
            max_size=4,
        ),
        max_size=4,
    )
)
def test_plain_state_is_plain_msgpack(value: dict[str, Any]) -> None:
    """Native data takes ormsgpack's fast path: no extension values, readable by any msgpack."""
    import ormsgpack

    tag, payload = MsgpackSerializer().dumps_typed(value)
    assert tag == "msgpack"
    assert ormsgpack.unpackb(payload) == value


def test_top_level_shortcuts() -> None:
    serde = MsgpackSerializer()
    assert serde.dumps_typed(None) == ("null", b"")
    assert serde.dumps_typed(b"raw") == ("bytes", b"raw")
    assert_same(serde.loads_typed(serde.dumps_typed(bytearray(b"ab"))), bytearray(b"ab"))
    assert serde.loads_typed(("bytes", memoryview(b"xy"))) == b"xy"


def test_nested_bytearray_loads_as_equal_bytes() -> None:
    """The documented exception: inside a container ormsgpack writes bytearray as binary."""
    serde = MsgpackSerializer()
    loaded = serde.loads_typed(serde.dumps_typed({"data": bytearray(b"ab")}))
    assert loaded == {"data": b"ab"} and type(loaded["data"]) is bytes


def test_dicts_with_any_hashable_keys() -> None:
    serde = make()
    value = {
        1: "int",
        (1, "a"): "tuple",
        Color.RED: "enum",
        Level.LOW: "str enum key stays an enum",
        uuid.UUID(int=5): "uuid",
        dt.date(2026, 1, 1): "date",
        frozenset({1}): "frozenset",
        None: "none",
        False: "bool",
        2**70: "bigint",
        "plain": {2: {3: "deep"}},
    }
    box = Box(items=[{(1, 2): [{5: "in a dataclass"}]}])
    assert_same(serde.loads_typed(serde.dumps_typed(value)), value)
    assert_same(serde.loads_typed(serde.dumps_typed([box, (value,)])), [box, (value,)])


def test_dataclass_init_false_fields_are_kept() -> None:
    serde = make()
    box = Box(items=[1])
    box.computed = 42
    assert serde.loads_typed(serde.dumps_typed(box)).computed == 42


def test_pydantic_fields_set_and_extras_survive() -> None:
    serde = make()
    note = Note(text="x")
    loaded = serde.loads_typed(serde.dumps_typed(note))
    assert loaded.model_fields_set == {"text"}
    assert loaded.model_dump(exclude_unset=True) == {"text": "x"}
    loose = Loose(name="n", colour="green", when=dt.date(2026, 2, 3))
    assert_same(serde.loads_typed(serde.dumps_typed(loose)), loose)


def test_datetime_zones_keep_their_identity() -> None:
    from zoneinfo import ZoneInfo

    serde = MsgpackSerializer()
    ambiguous = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))
    named = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5), "X"))
    clock = dt.time(12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    for value in (ambiguous, named, clock, dt.datetime(2026, 1, 1), dt.datetime.now(dt.UTC)):
        loaded = serde.loads_typed(serde.dumps_typed(value))
        assert_same(loaded, value)
    assert serde.loads_typed(serde.dumps_typed(ambiguous)).utcoffset() == ambiguous.utcoffset()
