"""Threads written by LangGraph's own savers, imported into cairngraph's and continued.

Each test runs one program twice from the same source text: once on
LangGraph (with its SqliteSaver or PostgresSaver, real file / real server),
once on cairngraph after the import. The imported thread must show the same
state and history, and resuming it must give what resuming it on LangGraph
gives.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import importlib
import operator
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypedDict

import psycopg
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.langgraph import ImportReport, import_postgres, import_sqlite
from cairngraph.checkpoint.serde import register
from cairngraph.errors import UnregisteredTypeError
from tests.postgres_server import fresh_schema, schema_url
from tests.savers import SAVER_FACTORIES

CONFIG = {"configurable": {"thread_id": "t1"}}
CALLS: list[str] = []
"""The nodes that ran, in the order they ran: a resume must run the same ones on both."""


def lib(prefix: str) -> Any:
    """The modules of ``prefix`` (``langgraph`` or ``cairngraph``) a program uses."""

    class Lib:
        graph = importlib.import_module(f"{prefix}.graph")
        message = importlib.import_module(f"{prefix}.graph.message")
        types = importlib.import_module(f"{prefix}.types")

    return Lib


def chat_graph(prefix: str) -> Any:
    """TypedDict state, add_messages with LangChain messages, an interrupt."""
    m = lib(prefix)

    # Functional form: the reducer is the library's own, a local name.
    State = TypedDict(  # noqa: UP013
        "State",
        {
            "messages": Annotated[list[Any], m.message.add_messages],
            "count": Annotated[int, operator.add],
            "answer": str,
        },
    )

    def greet(state: Any) -> dict[str, Any]:
        CALLS.append("greet")
        return {"messages": [AIMessage("hello", id="ai-1")], "count": 1}

    def ask(state: Any) -> dict[str, Any]:
        answer = m.types.interrupt({"question": "name?"})
        return {"answer": answer, "count": 10, "messages": [AIMessage(answer, id="ai-2")]}

    builder = m.graph.StateGraph(State)
    builder.add_node("greet", greet)
    builder.add_node("ask", ask)
    builder.add_edge(m.graph.START, "greet")
    builder.add_edge("greet", "ask")
    builder.add_edge("ask", m.graph.END)
    return builder


def sub_graph(prefix: str) -> Any:
    """A parent whose node is a subgraph that interrupts."""
    m = lib(prefix)

    class State(TypedDict):
        items: Annotated[list[str], operator.add]

    def inner(state: State) -> dict[str, Any]:
        return {"items": ["inner"]}

    def pause(state: State) -> dict[str, Any]:
        return {"items": [str(m.types.interrupt("ok?"))]}

    child = m.graph.StateGraph(State)
    child.add_node("inner", inner)
    child.add_node("pause", pause)
    child.add_edge(m.graph.START, "inner")
    child.add_edge("inner", "pause")
    parent = m.graph.StateGraph(State)
    parent.add_node("first", lambda state: {"items": ["first"]})
    parent.add_node("child", child.compile())
    parent.add_node("last", lambda state: {"items": ["last"]})
    parent.add_edge(m.graph.START, "first")
    parent.add_edge("first", "child")
    parent.add_edge("child", "last")
    return parent


class Order(BaseModel):
    sku: str
    quantity: int


register(Order)


def pydantic_graph(prefix: str) -> Any:
    """A pydantic state holding a registered pydantic model, paused by interrupt_before."""
    m = lib(prefix)

    class State(BaseModel):
        order: Order | None = None
        status: str = "new"

    def take(state: State) -> dict[str, Any]:
        return {"order": Order(sku="A1", quantity=2), "status": "taken"}

    def ship(state: State) -> dict[str, Any]:
        assert state.order is not None
        return {"status": f"shipped {state.order.quantity}"}

    builder = m.graph.StateGraph(State)
    builder.add_node("take", take)
    builder.add_node("ship", ship)
    builder.add_edge(m.graph.START, "take")
    builder.add_edge("take", "ship")
    return builder


def parallel_graph(prefix: str) -> Any:
    """Two nodes in one step: one finishes, one interrupts; the finished one must not rerun."""
    m = lib(prefix)

    class State(TypedDict):
        log: Annotated[list[str], operator.add]

    def left(state: State) -> dict[str, Any]:
        CALLS.append("left")
        return {"log": ["left"]}

    def right(state: State) -> dict[str, Any]:
        CALLS.append("right")
        return {"log": [f"right:{m.types.interrupt('go?')}"]}

    builder = m.graph.StateGraph(State)
    builder.add_node("left", left)
    builder.add_node("right", right)
    builder.add_node("join", lambda state: {"log": ["join"]})
    builder.add_edge(m.graph.START, "left")
    builder.add_edge(m.graph.START, "right")
    builder.add_edge(["left", "right"], "join")
    return builder


def send_graph(prefix: str) -> Any:
    """A fan-out with Send where one of three workers interrupts."""
    m = lib(prefix)

    class State(TypedDict):
        items: list[str]
        done: Annotated[list[str], operator.add]

    def work(state: dict[str, Any]) -> dict[str, Any]:
        CALLS.append(f"work:{state['item']}")
        if state["item"] == "b":
            return {"done": [f"b={m.types.interrupt('b?')}"]}
        return {"done": [state["item"]]}

    def fan_out(state: Any) -> list[Any]:
        return [m.types.Send("work", {"item": item}) for item in state["items"]]

    builder = m.graph.StateGraph(State)
    builder.add_node("work", work)
    builder.add_conditional_edges(m.graph.START, fan_out, ["work"])
    return builder


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


@dataclasses.dataclass
class Stamp:
    at: datetime.datetime
    day: datetime.date
    ref: uuid.UUID
    price: decimal.Decimal


register(Mood, Stamp)


def typed_graph(prefix: str) -> Any:
    """Standard and registered types in the state, paused before a node, then updated."""
    m = lib(prefix)

    class State(TypedDict, total=False):
        stamp: Stamp
        mood: Mood
        tags: set[str]
        pair: tuple[int, str]
        wait: datetime.timedelta
        note: str

    def make(state: State) -> dict[str, Any]:
        zone = datetime.timezone(datetime.timedelta(hours=2))
        stamp = Stamp(
            at=datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=zone),
            day=datetime.date(2026, 1, 2),
            ref=uuid.UUID(int=7),
            price=decimal.Decimal("9.99"),
        )
        return {
            "stamp": stamp,
            "mood": Mood.HAPPY,
            "tags": {"a", "b"},
            "pair": (1, "x"),
            "wait": datetime.timedelta(days=1, seconds=2),
        }

    def finish(state: State) -> dict[str, Any]:
        CALLS.append("finish")
        return {"note": f"{state['mood'].value} {state['stamp'].price} {state.get('note')}"}

    builder = m.graph.StateGraph(State)
    builder.add_node("make", make)
    builder.add_node("finish", finish)
    builder.add_edge(m.graph.START, "make")
    builder.add_edge("make", "finish")
    return builder


@contextmanager
def langgraph_sqlite(tmp_path: Path) -> Iterator[tuple[Any, Callable[..., ImportReport], int]]:
    from langgraph.checkpoint.sqlite import SqliteSaver as LangGraphSqlite

    path = tmp_path / "langgraph.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = LangGraphSqlite(conn)

    def run_import(target: BaseCheckpointSaver, **options: Any) -> ImportReport:
        return import_sqlite(path, target, **options)

    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    try:
        yield saver, run_import, count  # type: ignore[misc]
    finally:
        conn.close()


@contextmanager
def langgraph_postgres(tmp_path: Path) -> Iterator[tuple[Any, Callable[..., ImportReport], Any]]:
    from langgraph.checkpoint.postgres import PostgresSaver as LangGraphPostgres

    with fresh_schema() as (url, schema):
        source = schema_url(url, schema)
        with LangGraphPostgres.from_conn_string(source) as saver:
            saver.setup()

            def run_import(target: BaseCheckpointSaver, **options: Any) -> ImportReport:
                return import_postgres(source, target, **options)

            def count(table: str) -> int:
                name = {"writes": "checkpoint_writes"}.get(table, table)
                with psycopg.connect(source) as conn:
                    return int(conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]

            yield saver, run_import, count


SOURCES = {"lg-sqlite": langgraph_sqlite, "lg-postgres": langgraph_postgres}
TARGETS = ("sqlite", "postgres")


@pytest.fixture(params=sorted(SOURCES))
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with SOURCES[request.param](tmp_path) as made:
        yield made


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    (tmp_path / "target").mkdir()
    with SAVER_FACTORIES[request.param](tmp_path / "target") as made:
        yield made


def state_view(snapshot: Any) -> dict[str, Any]:
    """What get_state shows, without the task ids (each library derives its own)."""
    return {
        "values": snapshot.values,
        "next": tuple(snapshot.next),
        "checkpoint_id": snapshot.config["configurable"]["checkpoint_id"],
        "metadata": snapshot.metadata,
        "parent": (snapshot.parent_config or {}).get("configurable", {}).get("checkpoint_id"),
        "created_at": snapshot.created_at,
        "interrupts": [i.value for i in snapshot.interrupts],
    }


def tasks_view(graph: Any, config: Any) -> list[Any]:
    """The next tasks with their interrupts and, for a subgraph, its own state and history."""
    found = []
    for task in sorted(graph.get_state(config, subgraphs=True).tasks, key=lambda t: t.name):
        inner = None
        if task.state is not None:
            # The subgraph's whole history: without checkpoint_id, as the two libraries
            # read a checkpoint_id in get_state_history's config differently.
            place = dict(task.state.config["configurable"])
            place.pop("checkpoint_id")
            history = graph.get_state_history({"configurable": place})
            inner = (
                state_view(task.state),
                [state_view(s) for s in history],
            )
        found.append((task.name, [i.value for i in task.interrupts], inner))
    return found


ALREADY_RUN = object()
"""``first`` for :func:`compare` when the test ran the LangGraph side itself."""


def compare(
    build: Callable[[str], Any],
    source: Any,
    target: BaseCheckpointSaver,
    first: Any,
    resume: Any,
    compile_options: dict[str, Any] | None = None,
) -> ImportReport:
    lg_saver, run_import, count = source
    options = compile_options or {}
    on_langgraph = build("langgraph").compile(checkpointer=lg_saver, **options)
    if first is not ALREADY_RUN:
        on_langgraph.invoke(first, CONFIG)

    report = run_import(target)
    assert report.threads == 1 and report.thread_ids == ["t1"]
    assert report.checkpoints == count("checkpoints")
    assert report.writes == count("writes")

    on_cairngraph = build("cairngraph").compile(checkpointer=target, **options)
    assert state_view(on_cairngraph.get_state(CONFIG)) == state_view(on_langgraph.get_state(CONFIG))
    lg_history = [state_view(s) for s in on_langgraph.get_state_history(CONFIG)]
    cg_history = [state_view(s) for s in on_cairngraph.get_state_history(CONFIG)]
    assert cg_history == lg_history
    assert tasks_view(on_cairngraph, CONFIG) == tasks_view(on_langgraph, CONFIG)

    CALLS.clear()
    expected = on_langgraph.invoke(resume("langgraph"), CONFIG)
    langgraph_calls = sorted(CALLS)
    CALLS.clear()
    got = on_cairngraph.invoke(resume("cairngraph"), CONFIG)
    assert got == expected
    assert sorted(CALLS) == langgraph_calls
    assert on_cairngraph.get_state(CONFIG).values == on_langgraph.get_state(CONFIG).values
    return report


def command(value: Any) -> Callable[[str], Any]:
    return lambda prefix: lib(prefix).types.Command(resume=value)


def test_chat_thread_with_pending_interrupt(source: Any, target: BaseCheckpointSaver) -> None:
    first = {"messages": [HumanMessage("hi", id="h-1")], "count": 0}
    report = compare(chat_graph, source, target, first, command("Ada"))
    assert report.checkpoints == 3


def test_subgraph_interrupt(source: Any, target: BaseCheckpointSaver) -> None:
    report = compare(sub_graph, source, target, {"items": []}, command("yes"))
    assert report.checkpoints > 4  # the subgraph's own checkpoints came along


def test_pydantic_state_paused_before_a_node(source: Any, target: BaseCheckpointSaver) -> None:
    compare(
        pydantic_graph,
        source,
        target,
        {"status": "new"},
        lambda prefix: None,
        {"interrupt_before": ["ship"]},
    )


def test_thread_selection_and_unregistered_type(source: Any, target: BaseCheckpointSaver) -> None:
    lg_saver, run_import, _count = source
    graph = chat_graph("langgraph").compile(checkpointer=lg_saver)
    graph.invoke({"messages": [HumanMessage("a", id="1")], "count": 0}, CONFIG)
    graph.invoke(
        {"messages": [HumanMessage("b", id="2")], "count": 0}, {"configurable": {"thread_id": "t2"}}
    )
    report = run_import(target, thread_ids=["t2"])
    assert report.thread_ids == ["t2"]
    t2 = {"configurable": {"thread_id": "t2"}}
    saved = [(i.checkpoint, i.metadata, i.pending_writes) for i in target.list(t2)]
    assert run_import(target, thread_ids=["t2"]) == report  # again: the same records
    assert [(i.checkpoint, i.metadata, i.pending_writes) for i in target.list(t2)] == saved
    assert target.get_tuple(CONFIG) is None
    assert target.get_tuple({"configurable": {"thread_id": "t2"}}) is not None

    class Secret(BaseModel):
        code: str

    lg_saver.put_writes(lg_saver.get_tuple(CONFIG).config, [("count", Secret(code="x"))], "task-x")
    with pytest.raises(UnregisteredTypeError, match=r"Secret.*register"):
        run_import(target, thread_ids=["t1"])


def test_parallel_step_reuses_the_finished_task(source: Any, target: BaseCheckpointSaver) -> None:
    compare(parallel_graph, source, target, {"log": []}, command("now"))


def test_send_fan_out_with_one_worker_interrupted(source: Any, target: BaseCheckpointSaver) -> None:
    compare(send_graph, source, target, {"items": ["a", "b", "c"], "done": []}, command("ok"))


def test_standard_and_registered_types_after_update_state(
    source: Any, target: BaseCheckpointSaver
) -> None:
    lg_saver = source[0]
    options = {"interrupt_before": ["finish"]}
    on_langgraph = typed_graph("langgraph").compile(checkpointer=lg_saver, **options)
    on_langgraph.invoke({"note": "start"}, CONFIG)
    on_langgraph.update_state(CONFIG, {"note": "edited"})
    report = compare(typed_graph, source, target, ALREADY_RUN, lambda prefix: None, options)
    assert report.checkpoints == 4  # the input, two steps and the update, all before resuming
    final = target.get_tuple(CONFIG)
    assert final is not None and final.checkpoint.channel_values["note"] == "happy 9.99 edited"


def test_postgres_source_on_a_dict_row_connection(tmp_path: Path) -> None:
    """A connection made as LangGraph's saver makes it (dict rows) reads the same."""
    from langgraph.checkpoint.postgres import PostgresSaver as LangGraphPostgres
    from psycopg.rows import dict_row

    from cairngraph.checkpoint.memory import InMemorySaver

    with fresh_schema() as (url, schema):
        source = schema_url(url, schema)
        with LangGraphPostgres.from_conn_string(source) as lg_saver:
            lg_saver.setup()
            graph = chat_graph("langgraph").compile(checkpointer=lg_saver)
            graph.invoke({"messages": [HumanMessage("hi", id="h-1")], "count": 0}, CONFIG)
        by_url, by_conn = InMemorySaver(), InMemorySaver()
        import_postgres(source, by_url)
        with psycopg.connect(source, row_factory=dict_row) as conn:
            report = import_postgres(conn, by_conn)
    assert report.checkpoints == 3
    assert [i.checkpoint for i in by_conn.list(CONFIG)] == [
        i.checkpoint for i in by_url.list(CONFIG)
    ]
    assert [i.pending_writes for i in by_conn.list(CONFIG)] == [
        i.pending_writes for i in by_url.list(CONFIG)
    ]


def test_subgraph_stopped_before_its_parent_saved_anything(
    tmp_path: Path, target: BaseCheckpointSaver
) -> None:
    """As after a crash inside a subgraph: its checkpoints exist, its parent task wrote nothing."""
    from langgraph.checkpoint.sqlite import SqliteSaver as LangGraphSqlite

    path = tmp_path / "langgraph.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    on_langgraph = sub_graph("langgraph").compile(checkpointer=LangGraphSqlite(conn))
    on_langgraph.invoke({"items": []}, CONFIG)
    removed = conn.execute(
        "DELETE FROM writes WHERE checkpoint_ns = '' AND task_path LIKE '%child'"
    )
    assert removed.rowcount == 1  # the parent's record of the paused subgraph task
    conn.commit()

    import_sqlite(path, target)
    on_cairngraph = sub_graph("cairngraph").compile(checkpointer=target)
    assert tasks_view(on_cairngraph, CONFIG) == tasks_view(on_langgraph, CONFIG)
    CALLS.clear()
    expected = on_langgraph.invoke(command("yes")("langgraph"), CONFIG)
    got = on_cairngraph.invoke(command("yes")("cairngraph"), CONFIG)
    conn.close()
    assert got == expected
