"""Registration: annotations are walked for the classes inside; schemas register themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import operator
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Optional, TypedDict, Union

import pytest
from pydantic import BaseModel

from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry, register
from cairngraph.errors import UnregisteredTypeError, UnstorableTypeError


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


class Flag(enum.Enum):
    ON = 1


class Step(enum.Enum):
    FIRST = 1


@dataclasses.dataclass
class Leaf:
    when: dt.datetime
    mood: Mood


@dataclasses.dataclass
class Branch:
    leaves: list[Leaf]
    parent: Branch | None = None


class Coord(NamedTuple):
    lat: float
    lon: float
    step: Step


class Address(BaseModel):
    street: str
    coord: Coord


class Person(BaseModel):
    name: str
    addresses: dict[str, Address]
    mood: Optional[Mood] = None  # noqa: UP045 - the old spelling must be walked too


class Handle:
    """A plain class: never storable."""


class State(TypedDict):
    people: Annotated[list[Person], operator.add]
    tree: Union[Branch, None]  # noqa: UP007 - the old spelling must be walked too
    flag: Literal[Flag.ON]
    anything: Any
    callback: Callable[[int], str]
    handle: Handle


@dataclasses.dataclass
class DataclassState:
    people: list[Person]
    ids: tuple[uuid.UUID, ...] = ()


class ModelState(BaseModel):
    people: list[Person] = []
    tree: Branch | None = None


def names(serde: MsgpackSerializer) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name in serde.registry.names()}


ALL = {"Person", "Address", "Coord", "Step", "Mood", "Branch", "Leaf", "Flag"}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (State, ALL),
        (DataclassState, {"DataclassState", "Person", "Address", "Coord", "Step", "Mood"}),
        (ModelState, ALL - {"Flag"} | {"ModelState"}),
    ],
)
def test_a_state_schema_registers_every_class_inside(schema: type, expected: set[str]) -> None:
    serde = MsgpackSerializer(TypeRegistry())
    serde.register(schema)
    assert names(serde) == expected


def test_registered_schema_values_round_trip() -> None:
    serde = MsgpackSerializer(TypeRegistry())
    serde.register(State)
    person = Person(
        name="Ada",
        addresses={"home": Address(street="x", coord=Coord(1.0, 2.0, Step.FIRST))},
        mood=Mood.HAPPY,
    )
    tree = Branch([Leaf(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), Mood.SAD)], Branch([]))
    value = {"people": [person], "tree": tree, "flag": Flag.ON}
    assert serde.loads_typed(serde.dumps_typed(value)) == value


def test_annotations_and_ignored_leaves() -> None:
    serde = MsgpackSerializer(TypeRegistry())
    serde.register(list[Leaf], dict[str, Optional[Coord]], Any, Callable[..., Any], int, str)  # noqa: UP045
    assert names(serde) == {"Leaf", "Mood", "Coord", "Step"}


def test_a_plain_class_passed_directly_is_refused() -> None:
    serde = MsgpackSerializer(TypeRegistry())
    with pytest.raises(UnstorableTypeError, match=r"cannot register .*Handle.*dataclass"):
        serde.register(Handle)


def test_unresolvable_forward_references_do_not_hide_other_fields() -> None:
    @dataclasses.dataclass
    class Local:
        known: Leaf
        unknown: NotDefinedAnywhere  # type: ignore[name-defined]  # noqa: F821

    serde = MsgpackSerializer(TypeRegistry())
    serde.register(Local)
    assert names(serde) == {"Local", "Leaf", "Mood"}


def test_module_level_register_reaches_every_default_serializer() -> None:
    @register
    @dataclasses.dataclass
    class Shared:
        value: int

    payload = MsgpackSerializer().dumps_typed(Shared(1))
    assert MsgpackSerializer().loads_typed(payload) == Shared(1)
    isolated = MsgpackSerializer(TypeRegistry())
    with pytest.raises(UnregisteredTypeError):
        isolated.loads_typed(payload)


def test_compile_registers_the_state_schema(tmp_path: Path) -> None:
    """A graph's state types are allowed with no call from the user, on a fresh saver too."""
    from cairngraph.checkpoint.sqlite import SqliteSaver
    from cairngraph.graph import END, START, StateGraph

    def grow(state: ModelState) -> dict[str, Any]:
        leaf = Leaf(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), Mood.HAPPY)
        return {"tree": Branch([leaf])}

    def build(saver: SqliteSaver) -> Any:
        graph = StateGraph(ModelState)
        graph.add_node("grow", grow)
        graph.add_edge(START, "grow")
        graph.add_edge("grow", END)
        return graph.compile(checkpointer=saver)

    config = {"configurable": {"thread_id": "t"}}
    path = tmp_path / "state.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        build(saver).invoke({"people": []}, config)
    with SqliteSaver.from_conn_string(str(path)) as saver:
        tree = build(saver).get_state(config).values["tree"]
    assert tree == Branch([Leaf(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), Mood.HAPPY)])


def test_default_saver_serializer_imports_nothing_heavy() -> None:
    """The in-memory saver works with this serializer; LangChain is imported only when used."""
    code = (
        "import sys\n"
        "from cairngraph.checkpoint.memory import InMemorySaver\n"
        "from cairngraph.checkpoint.serde import MsgpackSerializer\n"
        "saver = InMemorySaver()\n"
        "assert isinstance(saver.serde, MsgpackSerializer)\n"
        "value = {'a': [1, (2, 3)]}\n"
        "assert saver.serde.loads_typed(saver.serde.dumps_typed(value)) == value\n"
        "heavy = {'langchain_core', 'pydantic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
