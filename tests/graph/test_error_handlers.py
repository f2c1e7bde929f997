"""Node error handlers: ``add_node(error_handler=)`` and ``set_node_defaults(error_handler=)``.

A node that fails for good (its retry policy gave up) hands its failure to its
handler, which runs in the same step on the node's input; the handler's update
or ``Command`` takes the node's place. What is saved (the failure, naming its
node, then the handler's writes) and what a restart does (run the handler, not
the node) follow LangGraph. Each behaviour runs through the sync and the async
driver, and the saved ones on memory, a SQLite file and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import operator
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import ERROR, ERROR_SOURCE_NODE, BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import InvalidGraphError, NodeError, NodeTimeoutError
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, RetryPolicy, Send, interrupt
from tests.savers import SAVER_FACTORIES

FAST_RETRY = RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False)


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    item: int


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    """InMemorySaver, a SqliteSaver on a file, and PostgresSaver."""
    with SAVER_FACTORIES[request.param](tmp_path) as made:
        yield made


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def cfg(thread: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def run(app: Any, value: Any, config: Any, driver: str, **options: Any) -> Any:
    if driver == "sync":
        return app.invoke(value, config, **options)
    return asyncio.run(app.ainvoke(value, config, **options))


def chunks(app: Any, value: Any, config: Any, driver: str, **options: Any) -> list[Any]:
    if driver == "sync":
        return list(app.stream(value, config, **options))

    async def collect() -> list[Any]:
        return [chunk async for chunk in app.astream(value, config, **options)]

    return asyncio.run(collect())


def note(name: str) -> Any:
    return lambda state: {"log": [name]}


def boom(state: State) -> dict[str, Any]:
    raise ValueError("boom")


def recover(state: State, error: NodeError) -> dict[str, Any]:
    return {"log": [f"{error.node} failed: {error.error!r}"]}


def chain(handler: Any = recover, **node: Any) -> StateGraph:
    """a -> b (raises, handled) -> c."""
    graph = StateGraph(State)
    graph.add_node("a", note("a"))
    graph.add_node("b", node.pop("action", boom), error_handler=handler, **node)
    graph.add_node("c", note("c"))
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    return graph


def writes_of(saver: BaseCheckpointSaver, config: Any) -> list[tuple[str, str, Any]]:
    found = saver.get_tuple(config)
    assert found is not None
    return [(task_id, channel, value) for task_id, channel, value in found.pending_writes]


# -- what runs, what is saved ------------------------------------------------------------------


def test_the_handler_takes_the_failed_nodes_place(store: BaseCheckpointSaver, driver: str) -> None:
    app = chain().compile(checkpointer=store)
    result = run(app, {"log": []}, cfg(), driver)
    # The handler's update replaces b's; b's edge to c does not fire.
    assert result == {"log": ["a", "b failed: ValueError('boom')"]}
    history = list(app.get_state_history(cfg()))
    assert [(s.metadata["step"], s.next) for s in history] == [
        (2, ()),
        (1, ("b",)),
        (0, ("a",)),
        (-1, ("__start__",)),
    ]
    failed_step = history[1]
    (task,) = failed_step.tasks
    assert (task.name, task.error, task.result) == ("b", "ValueError('boom')", None)
    saved = writes_of(store, failed_step.config)
    on_b = [(channel, value) for task_id, channel, value in saved if task_id == task.id]
    assert [channel for channel, _ in on_b] == [ERROR, ERROR_SOURCE_NODE]
    assert on_b[1][1] == "b"
    handler_writes = [(c, v) for t, c, v in saved if t != task.id]
    assert handler_writes == [("log", ["b failed: ValueError('boom')"])]
    assert app.get_state(cfg()).tasks == ()


def test_a_command_from_the_handler_routes_the_graph(driver: str) -> None:
    def reroute(state: State, error: NodeError) -> Command[Any]:
        return Command(update={"log": ["rerouted"]}, goto="c")

    app = chain(reroute).compile(checkpointer=InMemorySaver())
    assert run(app, {"log": []}, cfg(), driver) == {"log": ["a", "rerouted", "c"]}


def test_no_handler_saves_no_error_source(driver: str) -> None:
    graph = StateGraph(State)
    graph.add_node("b", boom)
    graph.add_edge(START, "b")
    saver = InMemorySaver()
    app = graph.compile(checkpointer=saver)
    with pytest.raises(ValueError, match="boom"):
        run(app, {"log": []}, cfg(), driver)
    assert [channel for _, channel, _ in writes_of(saver, cfg())] == [ERROR]


def test_the_handler_runs_once_the_retry_policy_gives_up(driver: str) -> None:
    attempts: list[int] = []

    def flaky(state: State) -> dict[str, Any]:
        attempts.append(1)
        raise ConnectionError("down")

    app = chain(action=flaky, retry_policy=FAST_RETRY).compile()
    assert run(app, {"log": []}, None, driver) == {
        "log": ["a", "b failed: ConnectionError('down')"]
    }
    assert len(attempts) == 3


def test_the_handler_gets_the_nodes_input_and_what_it_asks_for(driver: str) -> None:
    seen: list[Any] = []

    def handler(state: State, *, error: NodeError, config: Any) -> dict[str, Any]:
        seen.append((state, error, config["metadata"]["langgraph_node"]))
        return {"log": ["handled"]}

    def takes_no_error(state: State, error: NodeError | None = None) -> dict[str, Any]:
        seen.append(("plain node", error))
        return {"log": ["plain"]}

    graph = StateGraph(State)
    graph.add_node("first", takes_no_error)
    graph.add_node("b", boom, error_handler=handler)
    graph.add_edge(START, "first")
    graph.add_edge("first", "b")
    run(graph.compile(), {"log": []}, None, driver)
    assert seen[0] == ("plain node", None)
    state, error, node = seen[1]
    assert state == {"log": ["plain"]}
    assert node == "__error_handler__b"
    assert error.node == "b" and isinstance(error.error, ValueError)
    assert repr(error) == "NodeError(node='b', error=ValueError('boom'))"


def test_an_interrupt_never_goes_to_the_handler(store: BaseCheckpointSaver, driver: str) -> None:
    handled: list[Any] = []

    def ask(state: State) -> dict[str, Any]:
        return {"log": [interrupt("name?")]}

    def handler(state: State, error: NodeError) -> dict[str, Any]:
        handled.append(error)
        return {"log": ["handled"]}

    graph = StateGraph(State)
    graph.add_node("ask", ask, error_handler=handler)
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=store)
    paused = run(app, {"log": []}, cfg(), driver)
    assert [i.value for i in paused["__interrupt__"]] == ["name?"]
    assert run(app, Command(resume="Ada"), cfg(), driver) == {"log": ["Ada"]}
    assert handled == []


def test_an_interrupt_in_the_handler_pauses_and_resumes_it(
    store: BaseCheckpointSaver, driver: str
) -> None:
    calls: list[str] = []

    def failing(state: State) -> dict[str, Any]:
        calls.append("node")
        raise ValueError("bad data")

    def ask_human(state: State, error: NodeError) -> dict[str, Any]:
        calls.append(f"handler {error.error!r}")
        return {"log": [interrupt(f"fix {error.node}?")]}

    graph = StateGraph(State)
    graph.add_node("b", failing, error_handler=ask_human)
    graph.add_edge(START, "b")
    app = graph.compile(checkpointer=store)
    paused = run(app, {"log": []}, cfg(), driver)
    assert [i.value for i in paused["__interrupt__"]] == ["fix b?"]
    snapshot = app.get_state(cfg())
    # As LangGraph: the failed task waits; the handler's interrupt is not listed.
    assert snapshot.next == ("b",) and snapshot.interrupts == ()
    assert snapshot.tasks[0].error == "ValueError('bad data')"
    assert run(app, Command(resume="fixed"), cfg(), driver) == {"log": ["fixed"]}
    # After the restart the handler is told the saved error, as text.
    assert calls == ["node", "handler ValueError('bad data')", "handler \"ValueError('bad data')\""]


def test_a_failed_handler_fails_the_run_and_a_restart_runs_only_the_handler(
    store: BaseCheckpointSaver, driver: str
) -> None:
    calls: list[str] = []
    broken = {"on": True}

    def failing(state: State) -> dict[str, Any]:
        calls.append("node")
        raise ValueError("boom")

    def handler(state: State, error: NodeError) -> Command[Any]:
        calls.append("handler")
        if broken["on"]:
            raise KeyError("handler down")
        return Command(update={"log": [f"recovered {error.error}"]}, goto="c")

    app = chain(handler, action=failing).compile(checkpointer=store)
    with pytest.raises(KeyError):
        run(app, {"log": []}, cfg(), driver)
    snapshot = app.get_state(cfg())
    assert snapshot.next == ("b",)
    assert [(t.name, t.error) for t in snapshot.tasks] == [("b", "ValueError('boom')")]
    channels = sorted(channel for _, channel, _ in writes_of(store, cfg()))
    assert channels == [ERROR, ERROR, ERROR_SOURCE_NODE]
    broken["on"] = False
    assert run(app, None, cfg(), driver) == {"log": ["a", "recovered ValueError('boom')", "c"]}
    assert calls == ["node", "handler", "handler"]


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_every_durability_saves_the_failure_for_a_restart(
    store: BaseCheckpointSaver, durability: str
) -> None:
    broken = {"on": True}

    def handler(state: State, error: NodeError) -> dict[str, Any]:
        if broken["on"]:
            raise RuntimeError("handler down")
        return {"log": ["recovered"]}

    app = chain(handler).compile(checkpointer=store)
    with pytest.raises(RuntimeError):
        app.invoke({"log": []}, cfg(), durability=durability)
    assert app.get_state(cfg()).next == ("b",)
    broken["on"] = False
    assert app.invoke(None, cfg(), durability=durability) == {"log": ["a", "recovered"]}


# -- defaults, parallel steps, sends, subgraphs, timeouts -----------------------------------


def test_the_default_handler_covers_nodes_without_their_own(driver: str) -> None:
    def fallback(state: State, error: NodeError) -> dict[str, Any]:
        return {"log": [f"default for {error.node}"]}

    graph = StateGraph(State).set_node_defaults(error_handler=fallback)
    graph.add_node("b", boom)
    graph.add_node("b2", boom, error_handler=lambda state: {"log": ["own"]})
    graph.add_edge(START, "b")
    graph.add_edge(START, "b2")
    updates = chunks(graph.compile(), {"log": []}, None, driver)
    assert sorted(map(str, updates)) == sorted(
        [
            str({"__default_error_handler__": {"log": ["default for b"]}}),
            str({"__error_handler__b2": {"log": ["own"]}}),
        ]
    )


def test_a_handlers_failure_is_never_handled(driver: str) -> None:
    def fallback(state: State) -> dict[str, Any]:
        raise LookupError("fallback down")

    graph = StateGraph(State).set_node_defaults(error_handler=fallback)
    graph.add_node("b", boom)
    graph.add_edge(START, "b")
    with pytest.raises(LookupError):
        run(graph.compile(), {"log": []}, None, driver)


def test_a_parallel_sibling_keeps_running(driver: str) -> None:
    graph = StateGraph(State)
    graph.add_node("b", boom, error_handler=recover)
    graph.add_node("sibling", note("sibling"))
    graph.add_node("join", note("join"))
    graph.add_edge(START, "b")
    graph.add_edge(START, "sibling")
    graph.add_edge("sibling", "join")
    saver = InMemorySaver()
    app = graph.compile(checkpointer=saver)
    assert run(app, {"log": []}, cfg(), driver) == {
        "log": ["b failed: ValueError('boom')", "sibling", "join"]
    }


def test_a_failed_send_is_handled_with_its_own_input(driver: str) -> None:
    def work(state: State) -> dict[str, Any]:
        if state["item"] == 2:
            raise ValueError("two")
        return {"log": [f"did {state['item']}"]}

    def handler(state: State, error: NodeError) -> dict[str, Any]:
        return {"log": [f"skipped {state['item']}"]}

    graph = StateGraph(State)
    graph.add_node("work", work, error_handler=handler)
    graph.add_conditional_edges(
        START, lambda s: [Send("work", {"item": i}) for i in (1, 2, 3)], ["work"]
    )
    result = run(graph.compile(), {"log": []}, None, driver)
    assert result == {"log": ["did 1", "skipped 2", "did 3"]}


def test_a_subgraph_node_and_a_node_inside_a_subgraph(driver: str) -> None:
    inner = StateGraph(State)
    inner.add_node("inner", boom)
    inner.add_edge(START, "inner")
    outer = StateGraph(State)
    outer.add_node("sub", inner.compile(), error_handler=recover)
    outer.add_edge(START, "sub")
    assert run(outer.compile(), {"log": []}, None, driver) == {
        "log": ["sub failed: ValueError('boom')"]
    }

    handled = StateGraph(State)
    handled.add_node("inner", boom, error_handler=recover)
    handled.add_edge(START, "inner")
    parent = StateGraph(State)
    parent.add_node("sub", handled.compile())
    parent.add_edge(START, "sub")
    streamed = chunks(parent.compile(), {"log": []}, None, driver, subgraphs=True)
    assert [(len(ns), chunk) for ns, chunk in streamed] == [
        (1, {"__error_handler__inner": {"log": ["inner failed: ValueError('boom')"]}}),
        (0, {"sub": {"log": ["inner failed: ValueError('boom')"]}}),
    ]
    assert streamed[0][0][0].startswith("sub:")


def test_a_timeout_goes_to_the_handler() -> None:
    async def stuck(state: State) -> dict[str, Any]:
        await asyncio.sleep(5)
        return {}

    async def handler(state: State, error: NodeError) -> dict[str, Any]:
        assert isinstance(error.error, NodeTimeoutError)
        return {"log": [f"timed out ({error.error.kind})"]}

    graph = StateGraph(State)
    graph.add_node("b", stuck, timeout=0.05, error_handler=handler)
    graph.add_edge(START, "b")
    assert asyncio.run(graph.compile().ainvoke({"log": []})) == {"log": ["timed out (run)"]}


def test_sync_and_async_nodes_and_handlers_mix() -> None:
    async def aboom(state: State) -> dict[str, Any]:
        raise ValueError("async boom")

    async def ahandler(state: State, error: NodeError) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"log": [f"async {error.error}"]}

    for action, handler in ((aboom, ahandler), (boom, ahandler), (aboom, recover)):
        graph = StateGraph(State)
        graph.add_node("b", action, error_handler=handler)
        graph.add_edge(START, "b")
        (line,) = asyncio.run(graph.compile().ainvoke({"log": []}))["log"]
        assert "boom" in line


# -- what is streamed ---------------------------------------------------------------------


def test_the_stream_shows_the_handler_as_langgraph_does(driver: str) -> None:
    app = chain().compile(checkpointer=InMemorySaver())
    updates = chunks(app, {"log": []}, cfg("u"), driver)
    assert updates == [
        {"a": {"log": ["a"]}},
        {"__error_handler__b": {"log": ["b failed: ValueError('boom')"]}},
    ]
    tasks = chunks(app, {"log": []}, cfg("t"), driver, stream_mode="tasks")
    # The handler has a result but no start event, as in LangGraph.
    # The failure is the exception itself, as LangGraph's tasks chunks give it.
    shown = [(t["name"], "input" in t, t.get("error") and repr(t["error"])) for t in tasks]
    assert shown == [
        ("a", True, None),
        ("a", False, None),
        ("b", True, None),
        ("b", False, "ValueError('boom')"),
        ("__error_handler__b", False, None),
    ]
    values = chunks(app, {"log": []}, cfg("v"), driver, stream_mode="values")
    assert values[-1] == {"log": ["a", "b failed: ValueError('boom')"]}
    debug = chunks(app, {"log": []}, cfg("d"), driver, stream_mode="debug")
    assert [(d["type"], d["step"]) for d in debug][-3:] == [
        ("task_result", 2),
        ("task_result", 2),
        ("checkpoint", 2),
    ]


# -- a real crash ------------------------------------------------------------------------

_CRASHING = textwrap.dedent(
    """
    import os, signal, sys
    from cairngraph.checkpoint.sqlite import SqliteSaver
    from tests.graph.test_error_handlers import State, chain

    def dies(state, error):
        os.kill(os.getpid(), signal.SIGKILL)  # the failure is saved; the handler never ends

    with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
        chain(dies).compile(checkpointer=saver).invoke(
            {"log": []}, {"configurable": {"thread_id": "crash"}}
        )
    """
)


def test_a_process_killed_in_the_handler_resumes_with_the_handler(tmp_path: Path) -> None:
    path = str(tmp_path / "crash.db")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    done = subprocess.run([sys.executable, "-c", _CRASHING, path], env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    ran: list[str] = []

    def failing(state: State) -> dict[str, Any]:
        ran.append("node")
        raise AssertionError("the failed node must not run again")

    def handler(state: State, error: NodeError) -> dict[str, Any]:
        ran.append(f"handler {error.error}")
        return {"log": ["recovered"]}

    with SqliteSaver.from_conn_string(path) as saver:
        app = chain(handler, action=failing).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "crash"}}
        assert app.get_state(config).next == ("b",)
        assert app.invoke(None, config) == {"log": ["a", "recovered"]}
    assert ran == ["handler ValueError('boom')"]


# -- bad input ---------------------------------------------------------------------------


def test_a_handler_that_cannot_be_called_is_refused() -> None:
    with pytest.raises(InvalidGraphError, match=r"add_node\('b', error_handler=...\) got int 42"):
        StateGraph(State).add_node("b", boom, error_handler=42)
    with pytest.raises(InvalidGraphError, match="got str 'recover'"):
        StateGraph(State).set_node_defaults(error_handler="recover")


def test_a_handler_name_that_is_taken_is_refused() -> None:
    graph = StateGraph(State).add_node("__error_handler__b", note("x"))
    with pytest.raises(InvalidGraphError, match="'__error_handler__b', which already exists"):
        graph.add_node("b", boom, error_handler=recover)
    graph = StateGraph(State).add_node("b", boom, error_handler=recover)
    with pytest.raises(InvalidGraphError, match="already exists"):
        graph.add_node("__error_handler__b", note("x"))
    graph = StateGraph(State).set_node_defaults(error_handler=recover)
    graph.add_node("__default_error_handler__", note("x"))
    graph.add_edge(START, "__default_error_handler__")
    with pytest.raises(InvalidGraphError, match="'__default_error_handler__', which already"):
        graph.compile()


def test_handler_nodes_are_nodes_edges_may_name() -> None:
    graph = StateGraph(State)
    graph.add_node("b", boom, error_handler=recover)
    graph.add_node("c", note("c"))
    graph.add_edge(START, "b")
    graph.add_edge("__error_handler__b", "c")
    graph.add_edge("c", END)
    assert graph.compile().invoke({"log": []}) == {"log": ["b failed: ValueError('boom')", "c"]}


def test_interrupt_after_a_handler_pauses_after_its_step(driver: str) -> None:
    graph = StateGraph(State)
    graph.add_node("b", boom, error_handler=recover)
    graph.add_node("c", note("c"))
    graph.add_edge(START, "b")
    graph.add_edge("__error_handler__b", "c")
    app = graph.compile(checkpointer=InMemorySaver(), interrupt_after=["__error_handler__b"])
    assert run(app, {"log": []}, cfg(), driver) == {"log": ["b failed: ValueError('boom')"]}
    assert app.get_state(cfg()).next == ("c",)
    assert run(app, None, cfg(), driver) == {"log": ["b failed: ValueError('boom')", "c"]}


def test_the_drawing_shows_the_handler_nodes() -> None:
    graph = StateGraph(State).set_node_defaults(error_handler=recover)
    graph.add_node("b", boom, error_handler=recover)
    graph.add_edge(START, "b")
    drawn = graph.compile().get_graph().draw_mermaid()
    assert "(__error_handler__b)" in drawn and "(__default_error_handler__)" in drawn


def test_a_finished_handler_does_not_run_again_when_a_sibling_failed(
    store: BaseCheckpointSaver,
) -> None:
    calls: list[str] = []
    sibling_up = {"on": False}

    def handler(state: State, error: NodeError) -> dict[str, Any]:
        calls.append("handler")
        return {"log": ["handled"]}

    def sibling(state: State) -> dict[str, Any]:
        calls.append("sibling")
        if not sibling_up["on"]:
            raise KeyError("sibling down")
        return {"log": ["sibling"]}

    graph = StateGraph(State)
    graph.add_node("b", boom, error_handler=handler)
    graph.add_node("sibling", sibling)
    graph.add_edge(START, "b")
    graph.add_edge(START, "sibling")
    app = graph.compile(checkpointer=store)
    with pytest.raises(KeyError):
        app.invoke({"log": []}, cfg())
    sibling_up["on"] = True
    assert app.invoke(None, cfg()) == {"log": ["handled", "sibling"]}
    assert sorted(calls) == ["handler", "sibling", "sibling"]


def test_the_default_retry_policy_retries_a_handler_the_nodes_own_does_not() -> None:
    calls: list[str] = []

    def failing(state: State) -> dict[str, Any]:
        raise ConnectionError("down")

    def flaky_handler(state: State, error: NodeError) -> dict[str, Any]:
        calls.append("handler")
        if len(calls) < 2:
            raise ConnectionError("handler flaky")
        return {"log": [f"handled on attempt {len(calls)}"]}

    graph = StateGraph(State).set_node_defaults(retry_policy=FAST_RETRY)
    graph.add_node("b", failing, error_handler=flaky_handler)
    graph.add_edge(START, "b")
    assert graph.compile().invoke({"log": []}) == {"log": ["handled on attempt 2"]}

    calls.clear()
    own = StateGraph(State)
    own.add_node("b", failing, error_handler=flaky_handler, retry_policy=FAST_RETRY)
    own.add_edge(START, "b")
    with pytest.raises(ConnectionError, match="handler flaky"):
        own.compile().invoke({"log": []})
    assert calls == ["handler"]
