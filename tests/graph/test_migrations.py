"""State migrations: a thread saved by an older graph, read and resumed by a newer one.

Every old thread is written by a real old program in its own process, into a
real SQLite file; the new graph reads it through a fresh ``SqliteSaver``.
The old program pauses before ``finish``, so the new graph resumes a run.
"""

from __future__ import annotations

import operator
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from pydantic import BaseModel

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import InvalidGraphError, StateVersionError
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONFIG: Any = {"configurable": {"thread_id": "t1"}}

OLD_PROGRAM = """
from typing import Annotated, TypedDict
import operator, sys
from pydantic import BaseModel
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph

{schema}

graph = StateGraph(State{keywords})
graph.add_node("start", lambda state: {start_update})
graph.add_node("finish", lambda state: {{}})
graph.add_edge(START, "start")
graph.add_edge("start", "finish")
graph.add_edge("finish", END)
with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
    app = graph.compile(checkpointer=saver, interrupt_before=["finish"])
    app.invoke({input}, {{"configurable": {{"thread_id": "t1"}}}})
"""


def write_old(
    path: Path, schema: str, input: str, *, start_update: str = "{}", keywords: str = ""
) -> None:
    """Run the old program in its own process: it saves thread t1, paused before finish."""
    source = OLD_PROGRAM.format(
        schema=textwrap.dedent(schema),
        keywords=keywords,
        start_update=start_update,
        input=input,
    )
    program = path.parent / "old_program.py"
    program.write_text(source)
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, str(program), str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def new_graph(state: Any, finish: Any, **keywords: Any) -> StateGraph:
    graph = StateGraph(state, **keywords)
    graph.add_node("start", lambda state: {})
    graph.add_node("finish", finish)
    graph.add_edge(START, "start")
    graph.add_edge("start", "finish")
    graph.add_edge("finish", END)
    return graph


def stored_values(path: Path, config: Any = CONFIG, *types: type) -> dict[str, Any]:
    """The values stored in a checkpoint, read raw by a fresh saver (no graph, no migration)."""
    with SqliteSaver.from_conn_string(str(path)) as saver:
        saver.serde.register(*types)  # type: ignore[attr-defined]
        found = saver.get_tuple(config)
        assert found is not None
        return {
            key: value
            for key, value in found.checkpoint.channel_values.items()
            if not key.startswith(("__", "branch:", "join:"))
        }


# -- a key renamed ---------------------------------------------------------------------


class Renamed(TypedDict):
    full_name: str
    greeting: str


def rename_name(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["full_name"] = values.pop("name")
    return values


def test_a_renamed_key_is_migrated_before_the_resumed_node_runs(
    tmp_path: Path, driver: Driver
) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    name: str\n    greeting: str", '{"name": "Ada"}')
    old_latest = stored_values(path)
    assert old_latest == {"name": "Ada"}
    seen: list[dict[str, Any]] = []
    calls: list[int] = []

    def counted(values: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        return rename_name(values)

    def finish(state: Renamed) -> dict[str, Any]:
        seen.append(dict(state))
        return {"greeting": f"Hello, {state['full_name']}"}

    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, finish, version=2, migrations={1: counted}).compile(
            checkpointer=saver
        )
        before = driver.get_state(app, CONFIG)
        assert before.values == {"full_name": "Ada"}
        assert before.next == ("finish",)
        assert "state_version" not in before.metadata  # as stored: written with version 1
        calls.clear()
        result = driver.invoke(app, None, CONFIG)
        assert calls == [1]  # once, on load, before the node
        assert seen == [{"full_name": "Ada"}]
        assert result == {"full_name": "Ada", "greeting": "Hello, Ada"}
        after = driver.get_state(app, CONFIG)
        assert calls == [1]  # the new checkpoint is version 2: nothing to migrate
        assert after.metadata["state_version"] == 2
        assert after.metadata["graph_fingerprint"] == app.spec.versioning.fingerprint
        history = driver.history(app, CONFIG)
    assert [snap.values for snap in history] == [
        {"full_name": "Ada", "greeting": "Hello, Ada"},
        {"full_name": "Ada"},
        {"full_name": "Ada"},
        {},
    ]
    assert [snap.metadata.get("state_version") for snap in history] == [2, None, None, None]
    # Reading changed nothing stored; the migrated state was stored as the next checkpoint.
    paused = history[1].config
    assert stored_values(path, paused) == old_latest
    assert stored_values(path) == {"full_name": "Ada", "greeting": "Hello, Ada"}


# -- a key removed ---------------------------------------------------------------------


class Trimmed(TypedDict):
    question: str
    answer: str


def drop_token(values: dict[str, Any]) -> dict[str, Any]:
    values.pop("api_token", None)
    return values


def test_a_removed_key_is_gone_from_the_next_checkpoint(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    write_old(
        path,
        "class State(TypedDict):\n    question: str\n    api_token: str\n    answer: str",
        '{"question": "why?", "api_token": "s3cret"}',
    )
    assert stored_values(path) == {"question": "why?", "api_token": "s3cret"}
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(
            Trimmed,
            lambda state: {"answer": f"because ({sorted(state)})"},
            version=2,
            migrations={1: drop_token},
        ).compile(checkpointer=saver)
        assert driver.invoke(app, None, CONFIG) == {
            "question": "why?",
            "answer": "because (['question'])",
        }
    assert stored_values(path) == {"question": "why?", "answer": "because (['question'])"}


# -- a type changed: str becomes list[str] (with a reducer) --------------------------------


class Tagged(TypedDict):
    tags: Annotated[list[str], operator.add]


def tags_to_list(values: dict[str, Any]) -> dict[str, Any]:
    if isinstance(values.get("tags"), str):
        values["tags"] = values["tags"].split(",")
    return values


def test_a_str_becoming_a_list_is_migrated_and_appended_to(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    tags: str", '{"tags": "red,green"}')
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(
            Tagged, lambda state: {"tags": ["blue"]}, version=2, migrations={1: tags_to_list}
        ).compile(checkpointer=saver)
        assert driver.get_state(app, CONFIG).values == {"tags": ["red", "green"]}
        assert driver.invoke(app, None, CONFIG) == {"tags": ["red", "green", "blue"]}
        # The next append is stored relative to a migrated value, never the old string.
        driver.update_state(app, CONFIG, {"tags": ["black"]}, as_node="finish")
    assert stored_values(path) == {"tags": ["red", "green", "blue", "black"]}


# -- a field moved into a nested pydantic model ------------------------------------------


class Address(BaseModel):
    city: str
    country: str = "unknown"


class Customer(BaseModel):
    name: str
    address: Address | None = None
    note: str = ""


def nest_city(values: dict[str, Any]) -> dict[str, Any]:
    if "city" in values:
        values["address"] = Address(city=values.pop("city"))
    return values


def test_a_field_moved_into_a_nested_model(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    old = """
    class State(BaseModel):
        name: str
        city: str = ""
        note: str = ""
    """
    write_old(path, old, 'State(name="Ada", city="Paris")')
    assert stored_values(path) == {"name": "Ada", "city": "Paris", "note": ""}

    def finish(state: Customer) -> dict[str, Any]:
        assert isinstance(state, Customer)
        assert state.address is not None
        return {"note": f"{state.name} lives in {state.address.city}"}

    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Customer, finish, version=2, migrations={1: nest_city}).compile(
            checkpointer=saver
        )
        assert driver.get_state(app, CONFIG).values == {
            "name": "Ada",
            "address": Address(city="Paris"),
            "note": "",
        }
        result = driver.invoke(app, None, CONFIG)
    assert result == {"name": "Ada", "address": Address(city="Paris"), "note": "Ada lives in Paris"}
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Customer, finish, version=2, migrations={1: nest_city}).compile(
            checkpointer=saver
        )
        assert driver.get_state(app, CONFIG).values["address"] == Address(city="Paris")
    assert stored_values(path, CONFIG, Customer) == {
        "name": "Ada",
        "address": Address(city="Paris"),
        "note": "Ada lives in Paris",
    }


# -- a chain of migrations, from every older version ---------------------------------------


class Third(TypedDict):
    title: str
    words: int
    summary: str


def one_to_two(values: dict[str, Any]) -> dict[str, Any]:
    if "heading" in values:
        values["title"] = values.pop("heading")
    return values


def two_to_three(values: dict[str, Any]) -> dict[str, Any]:
    if "title" in values:
        values["words"] = len(values["title"].split())
    return values


@pytest.mark.parametrize(
    ("schema", "input", "keywords"),
    [
        ("class State(TypedDict):\n    heading: str\n    summary: str", '{"heading": "a b c"}', ""),
        (
            "class State(TypedDict):\n    title: str\n    summary: str",
            '{"title": "a b c"}',
            ", version=2, migrations={1: lambda v: v}",
        ),
    ],
    ids=["from-1", "from-2"],
)
def test_migrations_run_in_order_from_the_stored_version(
    tmp_path: Path, driver: Driver, schema: str, input: str, keywords: str
) -> None:
    path = tmp_path / "threads.db"
    write_old(path, schema, input, keywords=keywords)
    order: list[int] = []

    def first(values: dict[str, Any]) -> dict[str, Any]:
        order.append(1)
        return one_to_two(values)

    def second(values: dict[str, Any]) -> dict[str, Any]:
        order.append(2)
        return two_to_three(values)

    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(
            Third,
            lambda state: {"summary": f"{state['title']} ({state['words']} words)"},
            version=3,
            migrations={1: first, 2: second},
        ).compile(checkpointer=saver)
        result = driver.invoke(app, None, CONFIG)
    assert order == ([1, 2] if "heading" in input else [2])
    assert result == {"title": "a b c", "words": 3, "summary": "a b c (3 words)"}


# -- update_state on an old thread ---------------------------------------------------------


def test_update_state_migrates_then_writes_the_new_version(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    name: str\n    greeting: str", '{"name": "Ada"}')
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=2, migrations={1: rename_name}).compile(
            checkpointer=saver
        )
        driver.update_state(app, CONFIG, {"greeting": "Hi"}, as_node="start")
        state = driver.get_state(app, CONFIG)
    assert state.values == {"full_name": "Ada", "greeting": "Hi"}
    assert state.metadata["source"] == "update"
    assert state.metadata["state_version"] == 2
    assert stored_values(path) == {"full_name": "Ada", "greeting": "Hi"}


def test_a_copy_of_an_old_checkpoint_keeps_its_version(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    write_old(
        path,
        "class State(TypedDict):\n    name: str\n    greeting: str",
        '{"name": "Ada"}',
        keywords=", version=1",
    )
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=2, migrations={1: rename_name}).compile(
            checkpointer=saver
        )
        copied = app.update_state(CONFIG, None, as_node="__copy__")
        state = app.get_state(copied)
    assert state.metadata["source"] == "fork"
    assert state.metadata["state_version"] == 1  # it holds the stored, unmigrated values
    assert state.values == {"full_name": "Ada"}
    assert stored_values(path, copied) == {"name": "Ada"}


# -- newer checkpoints are refused -------------------------------------------------------


def test_a_newer_checkpoint_is_refused_everywhere(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    write_old(
        path,
        "class State(TypedDict):\n    full_name: str\n    greeting: str",
        '{"full_name": "Ada"}',
        keywords=", version=3, migrations={1: lambda v: v, 2: lambda v: v}",
    )
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=2, migrations={1: rename_name}).compile(
            checkpointer=saver
        )
        attempts = [
            lambda: driver.get_state(app, CONFIG),
            lambda: driver.history(app, CONFIG),
            lambda: driver.invoke(app, None, CONFIG),
            lambda: driver.update_state(app, CONFIG, {"greeting": "Hi"}, as_node="start"),
        ]
        for attempt in attempts:
            with pytest.raises(StateVersionError) as caught:
                attempt()
            message = str(caught.value)
            assert "state version 3" in message and "version 2" in message, message
            assert "'t1'" in message
        plain = new_graph(Renamed, lambda state: {}).compile(checkpointer=saver)
        with pytest.raises(StateVersionError, match="state version 3"):
            driver.get_state(plain, CONFIG)
    assert stored_values(path) == {"full_name": "Ada"}  # nothing was written


def test_a_missing_migration_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    name: str\n    greeting: str", '{"name": "Ada"}')
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=3, migrations={2: rename_name}).compile(
            checkpointer=saver
        )
        with pytest.raises(StateVersionError, match="no migration from version 1"):
            app.invoke(None, CONFIG)


def test_a_failing_migration_names_itself_and_the_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    name: str\n    greeting: str", '{"name": "Ada"}')

    def careless(values: dict[str, Any]) -> dict[str, Any]:
        values["full_name"] = values.pop("nickname")
        return values

    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=2, migrations={1: careless}).compile(
            checkpointer=saver
        )
        with pytest.raises(StateVersionError, match=r"careless.*failed on checkpoint") as caught:
            app.get_state(CONFIG)
    assert isinstance(caught.value.__cause__, KeyError)


# -- graphs without a version, and the builder's checks -----------------------------------


def test_a_graph_without_a_version_saves_langgraphs_metadata_only(tmp_path: Path) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "threads.db")) as saver:
        app = new_graph(Renamed, lambda state: {"greeting": "Hi"}).compile(checkpointer=saver)
        app.invoke({"full_name": "Ada"}, CONFIG)
        assert app.spec.versioning is None
        for snap in app.get_state_history(CONFIG):
            assert set(snap.metadata) == {"source", "step", "parents"}
        # A user's own metadata key of the same name is just metadata.
        app.invoke({"full_name": "Bo"}, {**CONFIG, "metadata": {"state_version": 9}})
        assert app.get_state(CONFIG).values == {"full_name": "Bo", "greeting": "Hi"}


def test_a_users_own_state_version_metadata_is_not_a_stamp(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        old = new_graph(TypedDict("Old", {"name": str, "greeting": str}), lambda state: {})
        old.compile(checkpointer=saver).invoke(
            {"name": "Ada"}, {**CONFIG, "metadata": {"state_version": 9}}
        )
        assert saver.get_tuple(CONFIG).metadata["state_version"] == 9  # type: ignore[union-attr]
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(Renamed, lambda state: {}, version=2, migrations={1: rename_name})
        compiled = app.compile(checkpointer=saver)
        # Unstamped (no graph_fingerprint): written with version 1, and migrated.
        assert compiled.get_state(CONFIG).values == {"full_name": "Ada"}
        compiled.invoke({"full_name": "Bo"}, {**CONFIG, "metadata": {"state_version": 9}})
        # The graph's stamp wins over the run's metadata of the same name.
        assert compiled.get_state(CONFIG).metadata["state_version"] == 2


def test_the_fingerprint_is_stable_across_processes_and_follows_the_shape(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    write_old(
        path,
        "class State(TypedDict):\n    full_name: str\n    greeting: str",
        '{"full_name": "Ada"}',
        keywords=", version=2, migrations={1: lambda v: v}",
    )
    with SqliteSaver.from_conn_string(str(path)) as saver:
        saved = saver.get_tuple(CONFIG)
    assert saved is not None
    same = new_graph(Renamed, lambda state: {}, version=2).compile()
    assert saved.metadata["graph_fingerprint"] == same.spec.versioning.fingerprint
    grown = new_graph(Renamed, lambda state: {}, version=2)
    grown.add_node("extra", lambda state: {})
    assert grown.compile().spec.versioning.fingerprint != same.spec.versioning.fingerprint


@pytest.mark.parametrize(
    ("keywords", "problem"),
    [
        ({"migrations": {1: rename_name}}, "needs version=N"),
        ({"version": 0}, "int >= 1"),
        ({"version": "2"}, "int >= 1"),
        ({"version": 2, "migrations": {2: rename_name}}, "from 1 to 1"),
        ({"version": 3, "migrations": {1: "rename"}}, "not a function"),
    ],
)
def test_bad_versions_and_migrations_are_refused_when_built(
    keywords: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InvalidGraphError, match=problem):
        StateGraph(Renamed, **keywords)


# -- a subgraph with a version of its own ---------------------------------------------------


class OldChild(TypedDict, total=False):
    topic: str
    draft: str
    out: str


class Drafting(TypedDict, total=False):
    topic: str
    drafts: list[str]
    out: str


class Parent(TypedDict, total=False):
    topic: str
    out: str


def drafts_of(values: dict[str, Any]) -> dict[str, Any]:
    if "draft" in values:
        values["drafts"] = [values.pop("draft")]
    return values


def reviewing(state: Any, *, keyword: str, **versioning: Any) -> Any:
    def review(state: Any) -> dict[str, Any]:
        return {"out": f"{interrupt('ok?')}: {state[keyword]}"}

    child = StateGraph(state, **versioning)
    child.add_node("write", lambda s: {keyword: "d1" if keyword == "draft" else ["d1"]})
    child.add_node("review", review)
    child.add_edge(START, "write")
    child.add_edge("write", "review")
    child.add_edge("review", END)
    parent = StateGraph(Parent)
    parent.add_node("sub", child.compile())
    parent.add_edge(START, "sub")
    parent.add_edge("sub", END)
    return parent


def test_a_subgraph_migrates_its_own_checkpoints(tmp_path: Path, driver: Driver) -> None:
    path = str(tmp_path / "threads.db")
    with SqliteSaver.from_conn_string(path) as saver:
        old = reviewing(OldChild, keyword="draft").compile(checkpointer=saver)
        driver.invoke(old, {"topic": "owls"}, CONFIG)
    with SqliteSaver.from_conn_string(path) as saver:
        app = reviewing(Drafting, keyword="drafts", version=2, migrations={1: drafts_of})
        compiled = app.compile(checkpointer=saver)
        child = driver.get_state(compiled, CONFIG, subgraphs=True).tasks[0].state
        assert child.values == {"topic": "owls", "drafts": ["d1"]}
        assert driver.invoke(compiled, Command(resume="yes"), CONFIG) == {
            "topic": "owls",
            "out": "yes: ['d1']",
        }


# -- a crash after the migration, before the next checkpoint -----------------------------

NEW_PROGRAM = """
import sys, time
from pathlib import Path
from typing import TypedDict
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph

class State(TypedDict):
    full_name: str
    greeting: str

def rename(values):
    if "name" in values:
        values["full_name"] = values.pop("name")
    return values

def finish(state):
    Path(sys.argv[2]).write_text(state["full_name"])
    time.sleep(60)  # killed here: the migrated state was never saved
    return {"greeting": "unreachable"}

graph = StateGraph(State, version=2, migrations={1: rename})
graph.add_node("start", lambda state: {})
graph.add_node("finish", finish)
graph.add_edge(START, "start")
graph.add_edge("start", "finish")
graph.add_edge("finish", END)
with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
    graph.compile(checkpointer=saver).invoke(None, {"configurable": {"thread_id": "t1"}})
"""


def test_a_process_killed_after_migrating_leaves_the_old_checkpoint_intact(
    tmp_path: Path,
) -> None:
    path = tmp_path / "threads.db"
    write_old(path, "class State(TypedDict):\n    name: str\n    greeting: str", '{"name": "Ada"}')
    program = tmp_path / "new_program.py"
    program.write_text(NEW_PROGRAM)
    marker = tmp_path / "inside-finish"
    env = {**os.environ, "PYTHONPATH": SRC}
    process = subprocess.Popen([sys.executable, str(program), str(path), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the new program ended before reaching the node"
            assert time.monotonic() < deadline, "the new program never reached the node"
            time.sleep(0.05)
        assert marker.read_text() == "Ada"  # the node saw the migrated state
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert stored_values(path) == {"name": "Ada"}  # still version 1, as stored
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(
            Renamed, lambda state: {"greeting": f"Hi {state['full_name']}"}, version=2,
            migrations={1: rename_name},
        ).compile(checkpointer=saver)  # fmt: skip
        assert app.invoke(None, CONFIG) == {"full_name": "Ada", "greeting": "Hi Ada"}
        assert app.get_state(CONFIG).metadata["state_version"] == 2
