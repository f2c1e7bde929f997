"""Registered classes that changed after values were stored: renamed, moved, fields changed.

The old values are written by an old program in its own process (its classes
in its own module, ``oldshop``), into a real SQLite file; this process reads
them with its own classes through a fresh saver and a registry of its own.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, TypedDict

import pytest
from pydantic import BaseModel

from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry
from cairngraph.checkpoint.serde.registry import type_name
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import CorruptDataError, UnregisteredTypeError
from cairngraph.graph import END, START, StateGraph

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONFIG: Any = {"configurable": {"thread_id": "t1"}}

WRITER = """
import sys
from typing import TypedDict
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph
from oldshop import Customer

class State(TypedDict):
    customer: Customer
    note: str

graph = StateGraph(State)
graph.add_node("keep", lambda state: {})
graph.add_edge(START, "keep")
graph.add_edge("keep", END)
with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
    app = graph.compile(checkpointer=saver)
    app.invoke({"customer": Customer(%s)}, {"configurable": {"thread_id": "t1"}})
"""


def write_old(tmp_path: Path, module: str, arguments: str) -> Path:
    """Save thread t1 holding an ``oldshop.Customer``, from a process of its own."""
    (tmp_path / "oldshop.py").write_text(textwrap.dedent(module))
    program = tmp_path / "writer.py"
    program.write_text(WRITER % arguments)
    path = tmp_path / "threads.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, str(tmp_path)])}
    done = subprocess.run(
        [sys.executable, str(program), str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return path


OLD_DATACLASS = """
from dataclasses import dataclass

@dataclass
class Customer:
    name: str
    nickname: str = ""
"""


@dataclasses.dataclass
class Client:
    name: str
    tier: str = "basic"


class ClientState(TypedDict):
    customer: Client
    note: str


def graph_of(state: Any) -> StateGraph:
    graph = StateGraph(state)
    graph.add_node("keep", lambda state: {"note": f"seen {type(state['customer']).__name__}"})
    graph.add_edge(START, "keep")
    graph.add_edge("keep", END)
    return graph


def saver_with(path: Path, registry: TypeRegistry) -> SqliteSaver:
    return SqliteSaver(str(path), serde=MsgpackSerializer(registry=registry))


def test_a_renamed_and_moved_dataclass_loads_through_its_alias(tmp_path: Path) -> None:
    path = write_old(tmp_path, OLD_DATACLASS, 'name="Ada", nickname="ada"')
    registry = TypeRegistry()
    registry.register(Client, aliases=["oldshop.Customer"])
    saver = saver_with(path, registry)
    try:
        app = graph_of(ClientState).compile(checkpointer=saver)
        # The field the class lost (nickname) is ignored; the one it gained has its default.
        assert app.get_state(CONFIG).values == {"customer": Client(name="Ada")}
        app.invoke({"customer": app.get_state(CONFIG).values["customer"]}, CONFIG)
        assert app.get_state(CONFIG).values["note"] == "seen Client"
    finally:
        saver.close()
    # New values are stored under the class's own name: no alias is needed to read them.
    fresh = TypeRegistry()
    fresh.register(Client)
    reader = saver_with(path, fresh)
    try:
        latest = reader.get_tuple(CONFIG)
        assert latest is not None
        assert latest.checkpoint.channel_values["customer"] == Client(name="Ada")
    finally:
        reader.close()
    # Reading rewrote nothing: the old checkpoints still hold the old name.
    stored = path.read_bytes()
    assert b"oldshop.Customer" in stored
    assert type_name(Client).encode() in stored


def test_without_the_alias_the_old_name_is_refused_by_name(tmp_path: Path) -> None:
    path = write_old(tmp_path, OLD_DATACLASS, 'name="Ada"')
    saver = saver_with(path, TypeRegistry())
    try:
        app = graph_of(ClientState).compile(checkpointer=saver)
        with pytest.raises(UnregisteredTypeError, match=r"oldshop\.Customer"):
            app.get_state(CONFIG)
    finally:
        saver.close()


OLD_MODEL = """
from pydantic import BaseModel

class Customer(BaseModel):
    name: str
    nickname: str = ""
"""


class Profile(BaseModel):
    name: str
    email: str = "none"


class ProfileState(TypedDict):
    customer: Profile
    note: str


def test_a_pydantic_model_that_gained_and_lost_fields(tmp_path: Path) -> None:
    path = write_old(tmp_path, OLD_MODEL, 'name="Ada", nickname="ada"')
    registry = TypeRegistry()
    registry.register(Profile, aliases=["oldshop.Customer"])
    saver = saver_with(path, registry)
    try:
        app = graph_of(ProfileState).compile(checkpointer=saver)
        loaded = app.get_state(CONFIG).values["customer"]
        assert type(loaded) is Profile
        assert loaded.model_dump() == {"name": "Ada", "email": "none"}
        assert loaded.model_fields_set == {"name"}
    finally:
        saver.close()


class Strict(BaseModel):
    name: str
    email: str


class StrictState(TypedDict):
    customer: Strict
    note: str


def test_a_field_gained_without_a_default_is_refused_naming_it(tmp_path: Path) -> None:
    path = write_old(tmp_path, OLD_MODEL, 'name="Ada"')
    registry = TypeRegistry()
    registry.register(Strict, aliases=["oldshop.Customer"])
    saver = saver_with(path, registry)
    try:
        app = graph_of(StrictState).compile(checkpointer=saver)
        with pytest.raises(CorruptDataError, match=r"required field.*email"):
            app.get_state(CONFIG)
    finally:
        saver.close()


def test_an_alias_names_one_class_only() -> None:
    registry = TypeRegistry()
    registry.register(Client, aliases=["oldshop.Customer"])
    registry.alias("oldshop.Customer", Client)  # the same again is fine
    assert registry.lookup("oldshop.Customer") is Client
    assert registry.lookup(type_name(Client)) is Client
    with pytest.raises(UnregisteredTypeError, match="already means"):
        registry.alias("oldshop.Customer", Profile)
    with pytest.raises(UnregisteredTypeError, match="already means"):
        registry.alias(type_name(Client), Profile)
    with pytest.raises(TypeError, match=r"module\.QualName"):
        registry.alias("Customer", Profile)
    with pytest.raises(TypeError, match="exactly one class"):
        registry.register(Client, Profile, aliases=["oldshop.Person"])


def test_an_alias_registers_a_class_not_registered_yet() -> None:
    registry = TypeRegistry()
    registry.alias("oldshop.Customer", Profile)
    assert registry.lookup("oldshop.Customer") is Profile
    assert registry.entry_for(Profile) is not None
    with pytest.raises(UnregisteredTypeError, match="cannot register"):
        registry.alias("oldshop.Thing", dict)
