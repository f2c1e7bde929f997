"""Interrupts, failures and resumes, time travel and forks, on every saver and both drivers."""

from __future__ import annotations

import operator
import threading
import time
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.constants import NULL_TASK_ID
from cairngraph.errors import (
    CheckpointNotFoundError,
    EmptyInputError,
    GraphRecursionError,
    InvalidConfigError,
    InvalidResumeError,
    ThreadBusyError,
)
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver
from tests.graph.test_runs import Joke, Log, joke_graph


def _config(thread: str, **extra: Any) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, **extra}}


def test_interrupt_and_resume_twice(saver: BaseCheckpointSaver, driver: Driver) -> None:
    def ask(state: Joke) -> dict[str, str]:
        first = interrupt({"question": "topic?"})
        second = interrupt("really?")
        return {"joke": f"{first}/{second}"}

    graph = StateGraph(Joke)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=saver)
    config = _config("int")
    paused = driver.invoke(app, {"topic": "t"}, config)
    assert paused["__interrupt__"][0].value == {"question": "topic?"}
    state = driver.get_state(app, config)
    assert state.next == ("ask",)
    assert state.interrupts[0].value == {"question": "topic?"}
    assert state.tasks[0].interrupts == state.interrupts
    again = driver.invoke(app, Command(resume="cats"), config)
    assert again["__interrupt__"][0].value == "really?"
    done = driver.invoke(app, Command(resume="yes"), config)
    assert done == {"topic": "t", "joke": "cats/yes"}
    assert [s.metadata["step"] for s in driver.history(app, config)] == [1, 0, -1]
    with pytest.raises(InvalidResumeError, match="'int' is not waiting"):
        driver.invoke(app, Command(resume="again"), config)


def test_resume_by_interrupt_id_with_parallel_interrupts(saver: BaseCheckpointSaver) -> None:
    graph = StateGraph(Log)
    graph.add_node("a", lambda s: {"log": [f"a:{interrupt('a?')}"]})
    graph.add_node("b", lambda s: {"log": [f"b:{interrupt('b?')}"]})
    graph.add_conditional_edges(START, lambda s: ["a", "b"])
    app = graph.compile(checkpointer=saver)
    config = _config("par-int")
    paused = app.invoke({"topic": "x"}, config)
    found = {item.value: item.id for item in paused["__interrupt__"]}
    assert set(found) == {"a?", "b?"}
    with pytest.raises(InvalidResumeError, match="2 interrupts"):
        app.invoke(Command(resume="one answer"), config)
    result = app.invoke(Command(resume={found["a?"]: "1", found["b?"]: "2"}), config)
    assert result["log"] == ["a:1", "b:2"]


def test_interrupt_before_and_after(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    for name in ("a", "b", "c"):
        graph.add_node(name, lambda s, name=name: {"log": [name]})
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    app = graph.compile(checkpointer=saver, interrupt_before=["b"], interrupt_after=["b"])
    config = _config("around")
    assert driver.invoke(app, {"topic": "t"}, config)["log"] == ["a"]
    assert driver.get_state(app, config).next == ("b",)
    assert driver.invoke(app, None, config)["log"] == ["a", "b"]
    assert driver.get_state(app, config).next == ("c",)
    assert driver.invoke(app, None, config)["log"] == ["a", "b", "c"]


def test_failed_task_is_the_only_one_rerun(saver: BaseCheckpointSaver, driver: Driver) -> None:
    calls: dict[str, int] = {"ok": 0, "flaky": 0}
    broken = {"yes": True}

    def ok(state: Log) -> dict[str, list[str]]:
        calls["ok"] += 1
        time.sleep(0.01)
        return {"log": ["ok"]}

    def flaky(state: Log) -> dict[str, list[str]]:
        calls["flaky"] += 1
        if broken["yes"]:
            raise ValueError("upstream said no")
        return {"log": ["flaky"]}

    graph = StateGraph(Log)
    graph.add_node("ok", ok)
    graph.add_node("flaky", flaky)
    graph.add_conditional_edges(START, lambda s: ["ok", "flaky"])
    app = graph.compile(checkpointer=saver)
    config = _config("fail")
    with pytest.raises(ValueError, match="upstream said no"):
        driver.invoke(app, {"topic": "t"}, config)
    state = driver.get_state(app, config)
    assert state.next == ("flaky",)
    errors = {task.name: task.error for task in state.tasks}
    assert errors["flaky"] == "ValueError('upstream said no')" and errors["ok"] is None
    assert state.values == {"topic": "t", "log": ["ok"]}
    broken["yes"] = False
    assert sorted(driver.invoke(app, None, config)["log"]) == ["flaky", "ok"]
    assert calls == {"ok": 1, "flaky": 2}


def test_update_state_and_time_travel_fork(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app = joke_graph(saver)
    config = _config("travel")
    driver.invoke(app, {"topic": "cats"}, config)
    history = driver.history(app, config)
    after_joke = next(s for s in history if s.next == ("explain_joke",))
    edited = driver.update_state(app, after_joke.config, {"joke": "edited"})
    state = driver.get_state(app, edited)
    assert state.metadata["source"] == "update" and state.values["joke"] == "edited"
    assert state.next == ("explain_joke",)
    driver.invoke(app, None, edited)
    assert driver.get_state(app, config).values["joke"] == "edited"
    replayed = driver.invoke(app, None, after_joke.config)
    assert replayed["joke"] == "Why did the cats cross?"
    sources = [s.metadata["source"] for s in driver.history(app, config)]
    assert sources.count("fork") == 1 and sources.count("update") == 1
    assert len(driver.history(app, config)) == 4 + 2 + 2


def test_bad_input_errors(saver: BaseCheckpointSaver, driver: Driver) -> None:
    from cairngraph.errors import InvalidUpdateError

    app = joke_graph(saver)
    with pytest.raises(InvalidConfigError, match="thread_id"):
        driver.invoke(app, {"topic": "x"}, {})
    with pytest.raises(EmptyInputError, match="'never' has never run"):
        driver.invoke(app, None, _config("never"))
    driver.invoke(app, {"topic": "x"}, _config("known"))
    with pytest.raises(CheckpointNotFoundError, match="no checkpoint 'nope'"):
        driver.invoke(app, None, _config("known", checkpoint_id="nope"))
    with pytest.raises(InvalidUpdateError, match="the input must be a dict"):
        driver.invoke(app, "just a string", _config("bad-input"))
    assert saver.get_tuple(_config("bad-input")) is None

    graph = StateGraph(Joke)
    graph.add_node("bad", lambda s: "not a dict")
    graph.add_edge(START, "bad")
    bad = graph.compile(checkpointer=saver)
    with pytest.raises(InvalidUpdateError, match="node 'bad' returned str"):
        driver.invoke(bad, {"topic": "x"}, _config("bad-node"))


def test_unknown_key_warns_or_fails_when_strict(saver: BaseCheckpointSaver) -> None:
    from cairngraph.errors import InvalidUpdateError, UnknownKeyWarning

    graph = StateGraph(Joke)
    graph.add_node("extra", lambda s: {"joke": "j", "mood": "happy"})
    graph.add_edge(START, "extra")
    with pytest.warns(UnknownKeyWarning, match="node 'extra' wrote key 'mood'"):
        result = graph.compile(checkpointer=saver).invoke({"topic": "x"}, _config("warn"))
    assert result == {"topic": "x", "joke": "j"}
    strict = graph.compile(checkpointer=saver, strict=True)
    with pytest.raises(InvalidUpdateError, match="'mood'"):
        strict.invoke({"topic": "x"}, _config("strict"))


def test_recursion_limit(driver: Driver) -> None:
    class Counter(TypedDict):
        n: Annotated[int, operator.add]

    graph = StateGraph(Counter)
    graph.add_node("loop", lambda s: {"n": 1})
    graph.add_edge(START, "loop")
    graph.add_conditional_edges("loop", lambda s: "loop" if s["n"] < 100 else END)
    app = graph.compile()
    with pytest.raises(GraphRecursionError, match="recursion limit of 10 steps"):
        driver.invoke(app, {"n": 0}, {"recursion_limit": 10})
    assert driver.invoke(app, {"n": 0}, {"recursion_limit": 200})["n"] == 100


def test_finished_thread_continues_into_new_nodes(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    class Rated(Joke, total=False):
        rating: int

    def build(with_rating: bool, **options: Any) -> Any:
        graph = StateGraph(Rated)
        graph.add_node("generate_joke", lambda s: {"joke": "j"})
        graph.add_node("explain_joke", lambda s: {"explanation": "e"})
        graph.add_edge(START, "generate_joke")
        graph.add_edge("generate_joke", "explain_joke")
        if with_rating:
            graph.add_node("rate_joke", lambda s: {"rating": 7})
            graph.add_edge("explain_joke", "rate_joke")
        return graph.compile(checkpointer=saver, **options)

    config = _config("grow")
    driver.invoke(build(False), {"topic": "t"}, config)
    assert "rating" not in driver.invoke(build(False), None, config)
    assert len(driver.history(build(False), config)) == 4
    compatible = build(True, continue_into_new_nodes=False)
    assert "rating" not in driver.invoke(compatible, None, config)
    assert driver.invoke(build(True), None, config)["rating"] == 7
    latest = driver.get_state(build(True), config)
    assert latest.metadata["step"] == 3 and latest.next == ()
    assert "rating" in driver.invoke(build(True), None, config)
    assert len(driver.history(build(True), config)) == 5


def test_subgraph_interrupt_and_resume(saver: BaseCheckpointSaver, driver: Driver) -> None:
    child = StateGraph(Joke)
    child.add_node("draft", lambda s: {"joke": f"draft about {s['topic']}"})
    child.add_node("review", lambda s: {"joke": f"{s['joke']} ({interrupt('ok?')})"})
    child.add_edge(START, "draft")
    child.add_edge("draft", "review")
    parent = StateGraph(Joke)
    parent.add_node("writer", child.compile())
    parent.add_node("explain", lambda s: {"explanation": f"explained: {s['joke']}"})
    parent.add_edge(START, "writer")
    parent.add_edge("writer", "explain")
    app = parent.compile(checkpointer=saver)
    config = _config("sub")
    paused = driver.invoke(app, {"topic": "owls"}, config)
    assert paused["__interrupt__"][0].value == "ok?"
    state = driver.get_state(app, config, subgraphs=True)
    assert state.next == ("writer",)
    inner = state.tasks[0].state
    assert inner.next == ("review",) and inner.values["joke"] == "draft about owls"
    assert inner.config["configurable"]["checkpoint_ns"].startswith("writer:")
    direct = driver.get_state(app, inner.config)
    assert direct.values == inner.values and direct.next == ("review",)
    done = driver.invoke(app, Command(resume="approved"), config)
    assert done["explanation"] == "explained: draft about owls (approved)"


def test_same_thread_runs_never_interleave(saver: BaseCheckpointSaver) -> None:
    inside = threading.Event()
    release = threading.Event()

    def slow(state: Joke) -> dict[str, str]:
        inside.set()
        release.wait(5)
        return {"joke": "slow"}

    graph = StateGraph(Joke)
    graph.add_node("slow", slow)
    graph.add_edge(START, "slow")
    app = graph.compile(checkpointer=saver)
    runner = threading.Thread(target=app.invoke, args=({"topic": "a"}, _config("busy")))
    runner.start()
    assert inside.wait(5)
    with pytest.raises(ThreadBusyError, match="'busy'"):
        app.invoke({"topic": "b"}, _config("busy", lock_timeout=0.05))
    release.set()
    runner.join()
    assert app.get_state(_config("busy")).values["joke"] == "slow"


def test_a_plain_resume_is_saved_as_the_write_of_no_task(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    """As LangGraph: ``Command(resume=v)`` is saved on the checkpoint under the null task
    id, so ``invoke(None)`` gives it again to the next ``interrupt()`` that asks; an
    answer by interrupt id is not saved that way."""

    class Form(TypedDict):
        a: str
        b: str

    def ask(state: Form) -> dict[str, Any]:
        return {"a": interrupt("q1"), "b": interrupt("q2")}

    graph = StateGraph(Form)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=saver)
    plain = {"configurable": {"thread_id": "plain"}}
    driver.invoke(app, {"a": "", "b": ""}, plain)
    second = driver.invoke(app, Command(resume="one"), plain)
    assert [i.value for i in second["__interrupt__"]] == ["q2"]
    saved = saver.get_tuple(plain)
    assert saved is not None
    null = [(w[1], w[2]) for w in saved.pending_writes if w[0] == NULL_TASK_ID]
    assert null == [("__resume__", "one")]
    assert driver.invoke(app, None, plain) == {"a": "one", "b": "one"}

    by_id = {"configurable": {"thread_id": "by-id"}}
    first = driver.invoke(app, {"a": "", "b": ""}, by_id)["__interrupt__"][0]
    driver.invoke(app, Command(resume={first.id: "mapped"}), by_id)
    saved = saver.get_tuple(by_id)
    assert saved is not None
    assert not [w for w in saved.pending_writes if w[0] == NULL_TASK_ID]
    again = driver.invoke(app, None, by_id)
    assert [i.value for i in again["__interrupt__"]] == ["q2"]
