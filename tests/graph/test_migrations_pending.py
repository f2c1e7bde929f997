"""Migrations of a checkpoint whose step was cut short: its pending writes.

A step interrupted (or crashed) part-way leaves the writes of the tasks that
finished, and the interrupts and answers of the others, saved against its
checkpoint. Loaded by a newer graph, the finished tasks' writes are the old
code's (old state shape): they are not applied; those tasks run again on the
migrated state. Answers, interrupts and ``@task`` results of a task that did
not finish are kept, so a waiting human-in-the-loop thread resumes with what
it was told. The saver tests run on every saver (SQLite files, PostgreSQL,
their async savers) through the sync and the async driver.
"""

from __future__ import annotations

import operator
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import StateVersionError
from cairngraph.func import task
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, Send, interrupt
from tests.graph.conftest import Driver

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONFIG: Any = {"configurable": {"thread_id": "t1"}}


class Old(TypedDict, total=False):
    name: str
    note: str
    reply: str


class New(TypedDict, total=False):
    full_name: str
    notes: Annotated[list[str], operator.add]
    reply: str


def to_new(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["full_name"] = values.pop("name")
    if "note" in values:
        values["notes"] = [values.pop("note")]
    return values


def asking(questions: int) -> Callable[[Any], dict[str, Any]]:
    """A node asking ``questions`` questions in turn, then replying with every answer."""

    def ask(state: Any) -> dict[str, Any]:
        answers = [str(interrupt(f"question {n}?")) for n in range(1, questions + 1)]
        return {"reply": f"{','.join(answers)} for {state.get('full_name', state.get('name'))}"}

    return ask


def old_graph(ran: list[str], questions: int = 2) -> StateGraph:
    """Version 1: ``note`` and ``ask`` run in one step; ``note`` finishes, ``ask`` waits."""

    def note(state: Old) -> dict[str, Any]:
        ran.append(f"old note of {state['name']}")
        return {"note": f"saw {state['name']}"}

    return _parallel(StateGraph(Old), note, asking(questions))


def new_graph(ran: list[str], questions: int = 2) -> StateGraph:
    """Version 2: ``name`` became ``full_name``, ``note`` a list ``notes``."""

    def note(state: New) -> dict[str, Any]:
        ran.append(f"new note of {state['full_name']}")
        return {"notes": [f"saw {state['full_name']}"]}

    graph = StateGraph(New, version=2, migrations={1: to_new})
    return _parallel(graph, note, asking(questions))


def _parallel(graph: StateGraph, note: Any, ask: Any) -> StateGraph:
    graph.add_node("note", note)
    graph.add_node("ask", ask)
    graph.add_edge(START, "note")
    graph.add_edge(START, "ask")
    graph.add_edge("note", END)
    graph.add_edge("ask", END)
    return graph


def test_an_interrupted_step_reruns_its_finished_task_on_the_migrated_state(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    ran: list[str] = []
    old = old_graph(ran).compile(checkpointer=saver)
    driver.invoke(old, {"name": "Ada"}, CONFIG)
    driver.invoke(old, Command(resume="yes"), CONFIG)  # answers question 1; waits on 2
    waiting = driver.get_state(old, CONFIG).interrupts
    stored = saver.get_tuple(CONFIG)
    assert stored is not None
    assert ("note", "saw Ada") in [(w.channel, w.value) for w in stored.pending_writes]

    app = new_graph(ran).compile(checkpointer=saver)
    snapshot = driver.get_state(app, CONFIG)
    # The old note's write is not applied to the migrated state: note runs again.
    assert snapshot.values == {"full_name": "Ada", "notes": []}
    assert sorted(snapshot.next) == ["ask", "note"]
    assert snapshot.interrupts == waiting  # the ids a client holds still match
    result = driver.invoke(app, Command(resume={waiting[0].id: "sure"}), CONFIG)
    # Answer 1 (given to the old code) is kept; note ran again, on the migrated state.
    assert result == {"full_name": "Ada", "notes": ["saw Ada"], "reply": "yes,sure for Ada"}
    assert ran == ["old note of Ada", "new note of Ada"]
    metadata = driver.get_state(app, CONFIG).metadata
    assert metadata["state_version"] == 2 and metadata["migrated_from"] == 1
    assert metadata["migration_reran"] == ["note"]
    # The old code's checkpoint and its note's write are still stored as they were.
    again = saver.get_tuple(stored.config)
    assert again is not None and again.metadata == stored.metadata
    old_note = [w for w in stored.pending_writes if w.channel == "note"]
    assert old_note and all(write in again.pending_writes for write in old_note)


def test_a_newer_threads_cut_short_step_is_refused_by_older_code(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    ran: list[str] = []
    app = new_graph(ran).compile(checkpointer=saver)
    driver.invoke(app, {"full_name": "Ada"}, CONFIG)  # version 2, waiting mid-step
    old = old_graph(ran).compile(checkpointer=saver)
    for attempt in (
        lambda: driver.get_state(old, CONFIG),
        lambda: driver.invoke(old, Command(resume="yes"), CONFIG),
    ):
        with pytest.raises(StateVersionError, match="state version 2"):
            attempt()
    assert ran == ["new note of Ada"]


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_a_second_pause_in_the_step_keeps_what_the_rerun_wrote(
    tmp_path: Path, driver: Driver, durability: str
) -> None:
    path = str(tmp_path / "threads.db")
    ran: list[str] = []
    with SqliteSaver.from_conn_string(path) as saver:
        old = old_graph(ran, questions=3).compile(checkpointer=saver)
        driver.invoke(old, {"name": "Ada"}, CONFIG)
        driver.invoke(old, Command(resume="yes"), CONFIG)
    with SqliteSaver.from_conn_string(path) as saver:
        app = new_graph(ran, questions=3).compile(checkpointer=saver)
        paused = driver.invoke(app, Command(resume="sure"), CONFIG, durability=durability)
        assert paused["notes"] == ["saw Ada"] and "__interrupt__" in paused
        assert ran == ["old note of Ada", "new note of Ada"]
        # The checkpoint is still version 1's, but the rerun's writes are version 2's:
        # a rollback to the old code is refused rather than handed them.
        with pytest.raises(StateVersionError, match="newer version"):
            driver.get_state(old_graph(ran, questions=3).compile(checkpointer=saver), CONFIG)
    with SqliteSaver.from_conn_string(path) as saver:
        app = new_graph(ran, questions=3).compile(checkpointer=saver)
        assert driver.get_state(app, CONFIG).next == ("ask",)  # note is done
        result = driver.invoke(app, Command(resume="again"), CONFIG, durability=durability)
        assert result == {
            "full_name": "Ada",
            "notes": ["saw Ada"],
            "reply": "yes,sure,again for Ada",
        }
        assert ran == ["old note of Ada", "new note of Ada"]  # not a third time
        assert driver.get_state(app, CONFIG).metadata["migration_reran"] == ["note"]


# -- a process killed after an answer was given ------------------------------------------

OLD_PROGRAM = """
import os, signal, sys
from typing import TypedDict
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, interrupt

class State(TypedDict, total=False):
    name: str
    note: str
    reply: str

def ask(state):
    answer = interrupt("ok?")
    if sys.argv[2] == "answer":
        os.kill(os.getpid(), signal.SIGKILL)  # killed holding the answer, before saving
    return {"reply": f"{answer} for {state['name']}"}

graph = StateGraph(State)
graph.add_node("note", lambda state: {"note": f"saw {state['name']}"})
graph.add_node("ask", ask)
graph.add_edge(START, "note")
graph.add_edge(START, "ask")
graph.add_edge("note", END)
graph.add_edge("ask", END)
with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
    app = graph.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t1"}}
    app.invoke({"name": "Ada"} if sys.argv[2] == "start" else Command(resume="yes"), config)
"""


def test_an_answer_saved_before_a_crash_is_kept(tmp_path: Path, driver: Driver) -> None:
    path = tmp_path / "threads.db"
    program = tmp_path / "old_program.py"
    program.write_text(textwrap.dedent(OLD_PROGRAM))
    env = {**os.environ, "PYTHONPATH": SRC}
    for mode, code in (("start", 0), ("answer", -9)):
        done = subprocess.run(
            [sys.executable, str(program), str(path), mode], env=env, capture_output=True
        )
        assert done.returncode == code, done.stderr.decode()
    ran: list[str] = []
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = new_graph(ran, questions=1).compile(checkpointer=saver)
        # The answer "yes" the old process was given is the next interrupt()'s.
        result = driver.invoke(app, None, CONFIG)
        assert result == {"full_name": "Ada", "notes": ["saw Ada"], "reply": "yes for Ada"}
        assert ran == ["new note of Ada"]
        assert driver.get_state(app, CONFIG).metadata["migration_reran"] == ["note"]


# -- Send tasks, subgraphs, @task calls, updates ---------------------------------------


class OldWork(TypedDict, total=False):
    done: Annotated[list[str], operator.add]
    reply: str


class NewWork(TypedDict, total=False):
    finished: Annotated[list[str], operator.add]
    reply: str


def test_finished_send_tasks_run_again_and_only_their_new_writes_count(
    tmp_path: Path, driver: Driver
) -> None:
    ran: list[str] = []

    def build(schema: Any, key: str, **keywords: Any) -> StateGraph:
        def work(item: dict[str, Any]) -> dict[str, Any]:
            ran.append(f"{key} {item['item']}")
            return {key: [f"item {item['item']}"]}

        graph = StateGraph(schema, **keywords)
        graph.add_node("work", work)
        graph.add_node("ask", asking(1))
        graph.add_conditional_edges(START, lambda _: [Send("work", {"item": n}) for n in (1, 2)])
        graph.add_edge(START, "ask")
        graph.add_edge("work", END)
        graph.add_edge("ask", END)
        return graph

    def renamed(values: dict[str, Any]) -> dict[str, Any]:
        if "done" in values:
            values["finished"] = values.pop("done")
        return values

    path = str(tmp_path / "threads.db")
    with SqliteSaver.from_conn_string(path) as saver:
        driver.invoke(build(OldWork, "done").compile(checkpointer=saver), {}, CONFIG)
        app = build(NewWork, "finished", version=2, migrations={1: renamed})
        result = driver.invoke(app.compile(checkpointer=saver), Command(resume="ok"), CONFIG)
    # The old "done" writes (a key version 2 has not) are never applied.
    assert result == {"finished": ["item 1", "item 2"], "reply": "ok for None"}
    assert sorted(ran) == ["done 1", "done 2", "finished 1", "finished 2"]


class Topic(TypedDict, total=False):
    topic: str
    answer: str


class OldParent(TypedDict, total=False):
    topic: str
    answer: str
    note: str


class NewParent(TypedDict, total=False):
    topic: str
    answer: str
    notes: Annotated[list[str], operator.add]


def test_an_interrupted_subgraph_resumes_in_its_namespace_while_its_sibling_reruns(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    ran: list[str] = []
    child = StateGraph(Topic)
    child.add_node("prepare", lambda state: ran.append("prepare") or {})
    child.add_node("question", lambda state: {"answer": f"{interrupt('why?')} on {state['topic']}"})
    child.add_edge(START, "prepare")
    child.add_edge("prepare", "question")
    child.add_edge("question", END)

    def parent(schema: Any, note: Any, **keywords: Any) -> StateGraph:
        graph = StateGraph(schema, **keywords)
        graph.add_node("note", note)
        graph.add_node("sub", child.compile())
        graph.add_edge(START, "note")
        graph.add_edge(START, "sub")
        graph.add_edge("note", END)
        graph.add_edge("sub", END)
        return graph

    def notes_of(values: dict[str, Any]) -> dict[str, Any]:
        if "note" in values:
            values["notes"] = [values.pop("note")]
        return values

    old = parent(OldParent, lambda state: ran.append("old note") or {"note": "old"})
    driver.invoke(old.compile(checkpointer=saver), {"topic": "owls"}, CONFIG)
    new = parent(
        NewParent,
        lambda state: ran.append("new note") or {"notes": ["new"]},
        version=2,
        migrations={1: notes_of},
    ).compile(checkpointer=saver)
    snapshot = driver.get_state(new, CONFIG, subgraphs=True)
    (sub,) = [item for item in snapshot.tasks if item.name == "sub"]
    assert sub.state.next == ("question",)  # the child's own checkpoint, found again
    result = driver.invoke(new, Command(resume={snapshot.interrupts[0].id: "because"}), CONFIG)
    assert result == {"topic": "owls", "answer": "because on owls", "notes": ["new"]}
    assert ran == ["old note", "prepare", "new note"]  # the child did not start over


def test_task_calls_follow_their_caller(tmp_path: Path, driver: Driver) -> None:
    """An interrupted node's finished calls are kept (their side effects happened once);
    the calls of a node that runs again run again with it."""
    calls: list[str] = []

    @task
    def look_up(name: str) -> str:
        calls.append(f"look up {name}")
        return f"record of {name}"

    @task
    def stamp(text: str) -> str:
        calls.append(f"stamp {text}")
        return f"[{text}]"

    def build(schema: Any, key: str, name_key: str, **keywords: Any) -> StateGraph:
        def note(state: Any) -> dict[str, Any]:
            value = stamp(state[name_key]).result()
            return {key: [value] if key == "notes" else value}

        def ask(state: Any) -> dict[str, Any]:
            record = look_up(state[name_key]).result()
            return {"reply": f"{interrupt(record)}: {record}"}

        return _parallel(StateGraph(schema, **keywords), note, ask)

    path = str(tmp_path / "threads.db")
    with SqliteSaver.from_conn_string(path) as saver:
        driver.invoke(
            build(Old, "note", "name").compile(checkpointer=saver), {"name": "Ada"}, CONFIG
        )
        app = build(New, "notes", "full_name", version=2, migrations={1: to_new})
        result = driver.invoke(app.compile(checkpointer=saver), Command(resume="yes"), CONFIG)
    assert result == {"full_name": "Ada", "notes": ["[Ada]"], "reply": "yes: record of Ada"}
    assert sorted(calls) == ["look up Ada", "stamp Ada", "stamp Ada"]


def test_an_update_the_old_code_never_applied_is_refused_and_a_new_one_kept(
    tmp_path: Path, driver: Driver
) -> None:
    ran: list[str] = []
    path = str(tmp_path / "threads.db")
    other: Any = {"configurable": {"thread_id": "t2"}}
    with SqliteSaver.from_conn_string(path) as saver:
        old = old_graph(ran).compile(checkpointer=saver)
        for config in (CONFIG, other):
            driver.invoke(old, {"name": "Ada"}, config)
        # Applied to the checkpoint, then ask waits again in the same step: still pending.
        driver.invoke(old, Command(resume="yes", update={"name": "Bob"}), CONFIG)
        app = new_graph(ran).compile(checkpointer=saver)
        with pytest.raises(StateVersionError, match=r"Command\(update=\.\.\.\).*'name'"):
            driver.get_state(app, CONFIG)
        # The new code's own update on the old checkpoint is in the new shape: kept.
        paused = driver.invoke(app, Command(resume="yes", update={"full_name": "Bob"}), other)
        assert "__interrupt__" in paused
        result = driver.invoke(app, Command(resume="sure"), other)
    assert result == {"full_name": "Bob", "notes": ["saw Bob"], "reply": "yes,sure for Bob"}


class OldLevel(TypedDict, total=False):
    topic: str
    seen: str
    answer: str


class NewLevel(TypedDict, total=False):
    topic: str
    seen: Annotated[list[str], operator.add]
    answer: str


def test_a_versioned_subgraph_cut_short_reruns_its_own_finished_task(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    """Each level migrates its own checkpoint: the child's step had a finished task."""
    ran: list[str] = []

    def levels(schema: Any, seen: Callable[[str], Any], **keywords: Any) -> StateGraph:
        child = StateGraph(schema, **keywords)
        child.add_node("look", lambda state: ran.append(f"look {state['topic']}") or seen("owl"))
        child.add_node("ask", lambda state: {"answer": str(interrupt("why?"))})
        child.add_edge(START, "look")
        child.add_edge(START, "ask")
        child.add_edge(["look", "ask"], END)
        parent = StateGraph(schema, **keywords)
        parent.add_node("sub", child.compile())
        parent.add_edge(START, "sub")
        parent.add_edge("sub", END)
        return parent

    def listed(values: dict[str, Any]) -> dict[str, Any]:
        if isinstance(values.get("seen"), str):
            values["seen"] = [values["seen"]]
        return values

    old = levels(OldLevel, lambda thing: {"seen": thing}).compile(checkpointer=saver)
    waiting = driver.invoke(old, {"topic": "owls"}, CONFIG)["__interrupt__"]
    new = levels(NewLevel, lambda thing: {"seen": [thing]}, version=2, migrations={1: listed})
    app = new.compile(checkpointer=saver)
    child = driver.get_state(app, CONFIG, subgraphs=True).tasks[0].state
    assert sorted(child.next) == ["ask", "look"] and child.interrupts == tuple(waiting)
    result = driver.invoke(app, Command(resume={waiting[0].id: "because"}), CONFIG)
    assert result == {"topic": "owls", "seen": ["owl"], "answer": "because"}
    assert ran == ["look owls", "look owls"]
