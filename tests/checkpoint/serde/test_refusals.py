"""What the serializer refuses: unknown types both ways, corrupt bytes, drifted classes."""

from __future__ import annotations

import collections
import dataclasses
import enum

import ormsgpack
import pytest

from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry
from cairngraph.errors import (
    CorruptDataError,
    SerializationError,
    UnregisteredTypeError,
    UnstorableTypeError,
)


@dataclasses.dataclass(frozen=True)
class Secret:
    value: int


class Plain:
    pass


def fresh() -> MsgpackSerializer:
    return MsgpackSerializer(TypeRegistry())


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (Secret(1), "Secret"),
        ({"deep": [{"x": (1, Secret(2))}]}, "Secret"),
        ({Secret(3): "as a key"}, "Secret"),
        ({"k": Secret}, "builtins.type"),
        ([ValueError("the engine stores errors as plain dicts")], "builtins.ValueError"),
    ],
    ids=["top", "nested", "key", "class-object", "exception"],
)
def test_dumping_an_unregistered_type_names_it(value: object, named: str) -> None:
    with pytest.raises(UnregisteredTypeError, match=f"{named} cannot be saved"):
        fresh().dumps_typed(value)


def test_unregistered_message_says_how_to_fix() -> None:
    with pytest.raises(UnregisteredTypeError, match=r"Secret.*serde\.register\(Secret\)") as caught:
        fresh().dumps_typed({"x": Secret(1)})
    assert not isinstance(caught.value, UnstorableTypeError)  # registering it is the fix
    with pytest.raises(UnstorableTypeError, match=r"Plain cannot be saved.*Convert"):
        fresh().dumps_typed([Plain()])


@pytest.mark.parametrize(
    "value",
    [
        collections.OrderedDict(a=1),
        collections.defaultdict(list),
        collections.Counter("ab"),
        type("MyStr", (str,), {})("x"),
        type("MyInt", (int,), {})(1),
        type("MyList", (list,), {})([1]),
    ],
    ids=["ordereddict", "defaultdict", "counter", "str-subclass", "int-subclass", "list-subclass"],
)
def test_subclasses_of_builtins_are_refused_not_flattened(value: object) -> None:
    with pytest.raises(UnregisteredTypeError):
        fresh().dumps_typed({"v": value})


def test_loading_an_unregistered_name_fails_and_imports_nothing() -> None:
    writer = fresh()
    writer.register(Secret)
    payload = writer.dumps_typed({"s": [Secret(1)]})
    with pytest.raises(UnregisteredTypeError, match=r"Secret cannot be loaded.*register\(Secret\)"):
        fresh().loads_typed(payload)
    forged = ormsgpack.packb(
        ormsgpack.Ext(11, ormsgpack.packb(["os.system", {"command": "echo hi"}]))
    )
    with pytest.raises(UnregisteredTypeError, match=r"os\.system cannot be loaded"):
        fresh().loads_typed(("msgpack", forged))


def test_langchain_classes_outside_the_allow_list_are_refused() -> None:
    documents = pytest.importorskip("langchain_core.documents")
    document = documents.Document(page_content="x")
    with pytest.raises(UnregisteredTypeError):
        fresh().dumps_typed(document)
    forged = ormsgpack.packb(
        ormsgpack.Ext(11, ormsgpack.packb(["langchain_core.documents.base.Document", {}]))
    )
    with pytest.raises(UnregisteredTypeError):
        fresh().loads_typed(("msgpack", forged))


@pytest.mark.parametrize(
    "payload",
    [
        b"\xc1",  # a byte msgpack never uses
        b"\x92\x01",  # an array of 2 with only 1 item
        b"",
        ormsgpack.packb(ormsgpack.Ext(99, b"")),  # an extension code we never write
        ormsgpack.packb(ormsgpack.Ext(8, b"short")),  # a UUID that is not 16 bytes
        ormsgpack.packb(ormsgpack.Ext(5, b"not a date")),
        ormsgpack.packb(ormsgpack.Ext(11, b"\xc1")),
        ormsgpack.packb(ormsgpack.Ext(11, ormsgpack.packb("no fields"))),
        ormsgpack.packb(ormsgpack.Ext(1, b"\x92\x01")),
        ormsgpack.packb(ormsgpack.Ext(4, b"\x00")),  # a datetime cut short
        ormsgpack.packb(ormsgpack.Ext(4, b"\xea\x07\x0d" + bytes(9))),  # month 13
        ormsgpack.packb(ormsgpack.Ext(4, b"\xea\x07\x01\x01" + bytes(8) + b"Q")),  # zone
        ormsgpack.packb(ormsgpack.Ext(12, ormsgpack.packb([1, 2]))),  # an Enum with no name
    ],
)
def test_corrupt_bytes_raise_corrupt_data_error(payload: bytes) -> None:
    with pytest.raises(CorruptDataError):
        fresh().loads_typed(("msgpack", payload))


def test_unknown_tags_are_named() -> None:
    with pytest.raises(CorruptDataError, match="'pickle'"):
        fresh().loads_typed(("pickle", b"whatever"))
    with pytest.raises(CorruptDataError, match=r"'msgpack\+aesgcm'"):
        fresh().loads_typed(("msgpack+aesgcm", b"sealed"))


def test_a_class_that_gained_a_required_field_is_named() -> None:
    @dataclasses.dataclass
    class Record:
        a: int

    writer = fresh()
    writer.register(Record)
    payload = writer.dumps_typed(Record(1))

    @dataclasses.dataclass
    class Record:  # type: ignore[no-redef]
        a: int
        b: int
        c: int = 3

    reader = fresh()
    reader.register(Record)
    with pytest.raises(CorruptDataError, match=r"Record has no value for required field\(s\) b"):
        reader.loads_typed(payload)


def test_an_enum_member_that_was_removed_is_named() -> None:
    class Tone(enum.Enum):
        LOUD = 1
        SOFT = 2

    writer = fresh()
    writer.register(Tone)
    payload = writer.dumps_typed(Tone.SOFT)

    class Tone(enum.Enum):  # type: ignore[no-redef]
        LOUD = 1

    reader = fresh()
    reader.register(Tone)
    with pytest.raises(CorruptDataError, match=r"2 is not a member of .*Tone"):
        reader.loads_typed(payload)


def test_cycles_fail_cleanly() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(SerializationError):
        fresh().dumps_typed(loop)


@dataclasses.dataclass
class Holder:
    value: int


def test_an_error_inside_a_value_surfaces_with_the_type() -> None:
    serde = fresh()
    serde.register(Holder)
    broken = Holder(1)
    del broken.value
    with pytest.raises(SerializationError, match=r"cannot serialize .*Holder: AttributeError"):
        serde.dumps_typed({"nested": [broken]})
