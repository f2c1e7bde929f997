"""The Graph API pieces LangGraph programs rely on, through every saver and both drivers:
stream modes, runtime context, control flow (defer, Command inputs, PARENT), subgraphs,
managed values, and typos refused."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.config import get_config, get_stream_writer
from cairngraph.errors import AmbiguousResumeError, InvalidConfigError, InvalidUpdateError
from cairngraph.graph import END, START, StateGraph
from cairngraph.managed import RemainingSteps
from cairngraph.runtime import Runtime
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver


class Log(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    x: int


@dataclass
class Context:
    user: str


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def _writes(name: str) -> Any:
    return lambda state: {"log": [name]}


def test_custom_stream_runtime_context_and_config(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    def greet(state: Log, runtime: Runtime[Context]) -> dict[str, Any]:
        get_stream_writer()({"user": runtime.context.user})
        assert get_config()["metadata"]["langgraph_node"] == "greet"
        return {"log": [f"hi {runtime.context.user}"]}

    graph = StateGraph(Log, context_schema=Context)
    graph.add_node("greet", greet)
    graph.add_edge(START, "greet")
    app = graph.compile(checkpointer=saver)
    chunks = driver.stream(
        app, {"log": []}, _config("ctx"), stream_mode=["custom", "updates"], context={"user": "ada"}
    )
    assert chunks == [("custom", {"user": "ada"}), ("updates", {"greet": {"log": ["hi ada"]}})]


def test_subgraph_chunks_are_namespaced(saver: BaseCheckpointSaver, driver: Driver) -> None:
    inner = StateGraph(Log)
    inner.add_node("inner", _writes("inner"))
    inner.add_edge(START, "inner")
    graph = StateGraph(Log)
    graph.add_node("sub", inner.compile())
    graph.add_edge(START, "sub")
    app = graph.compile(checkpointer=saver)
    chunks = driver.stream(app, {"log": []}, _config("ns"), stream_mode="updates", subgraphs=True)
    assert [namespace[:1] and namespace[0].split(":")[0] for namespace, _ in chunks] == [
        "sub",
        (),
    ]
    assert chunks[0][1] == {"inner": {"log": ["inner"]}}
    assert chunks[1] == ((), {"sub": {"log": ["inner"]}})


def test_checkpoints_and_tasks_modes(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    graph.add_node("a", _writes("a"))
    graph.add_edge(START, "a")
    app = graph.compile(checkpointer=saver)
    checkpoints = driver.stream(app, {"log": []}, _config("cp"), stream_mode="checkpoints")
    assert [c["metadata"]["step"] for c in checkpoints] == [-1, 0, 1]
    assert checkpoints[-1]["values"] == {"log": ["a"]}
    tasks = driver.stream(app, {"log": []}, _config("tasks"), stream_mode="tasks")
    assert [sorted(t) for t in tasks] == [
        ["id", "input", "name", "triggers"],
        ["error", "id", "interrupts", "name", "result"],
    ]
    assert tasks[1]["result"] == {"log": ["a"]}


def test_defer_waits_for_the_longer_branch(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    for name in ("a", "b", "b2"):
        graph.add_node(name, _writes(name))
    graph.add_node("end", _writes("end"), defer=True)
    graph.add_edge(START, "a")
    graph.add_edge(START, "b")
    graph.add_edge("b", "b2")
    graph.add_edge("a", "end")
    graph.add_edge("b2", "end")
    app = graph.compile(checkpointer=saver)
    assert driver.invoke(app, {"log": []}, _config("defer"))["log"] == ["a", "b", "b2", "end"]


def test_command_inputs(saver: BaseCheckpointSaver, driver: Driver) -> None:
    def ask(state: Log) -> dict[str, Any]:
        answer = interrupt("ok?")
        return {"log": [f"{answer} x={state.get('x')}"]}

    graph = StateGraph(Log)
    graph.add_node("ask", ask)
    graph.add_node("other", _writes("other"))
    graph.add_edge(START, "ask")
    app = graph.compile(checkpointer=saver)
    config = _config("cmd")
    driver.invoke(app, {"log": []}, config)
    result = driver.invoke(app, Command(resume="yes", update={"x": 5}), config)
    assert result == {"log": ["yes x=5"], "x": 5}
    result = driver.invoke(app, Command(goto="other"), config)
    assert result["log"] == ["yes x=5", "other"]


def test_bare_resume_among_several_interrupts(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    graph.add_node("one", lambda s: {"log": [interrupt("one?")]})
    graph.add_node("two", lambda s: {"log": [interrupt("two?")]})
    graph.add_edge(START, "one")
    graph.add_edge(START, "two")
    app = graph.compile(checkpointer=saver)
    config = _config("many")
    waiting = driver.invoke(app, {"log": []}, config)["__interrupt__"]
    with pytest.raises(RuntimeError):
        driver.invoke(app, Command(resume="?"), config)
    with pytest.raises(AmbiguousResumeError):
        driver.invoke(app, Command(resume="?"), config)
    answers = {item.id: str(item.value).upper() for item in waiting}
    assert sorted(driver.invoke(app, Command(resume=answers), config)["log"]) == ["ONE?", "TWO?"]


def test_command_to_parent_and_static_breakpoint_in_subgraph(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    inner = StateGraph(Log)
    inner.add_node("s1", _writes("s1"))
    inner.add_node("leave", lambda s: Command(graph=Command.PARENT, goto="other", update={"x": 1}))
    inner.add_edge(START, "s1")
    inner.add_edge("s1", "leave")
    graph = StateGraph(Log)
    graph.add_node("sub", inner.compile(interrupt_before=["leave"]))
    graph.add_node("other", _writes("other"))
    graph.add_edge(START, "sub")
    app = graph.compile(checkpointer=saver)
    config = _config("parent")
    assert driver.invoke(app, {"log": []}, config) == {"log": []}
    assert driver.get_state(app, config).next == ("sub",)
    assert driver.invoke(app, None, config) == {"log": ["other"], "x": 1}


def test_checkpointer_true_subgraph_keeps_its_state(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    inner = StateGraph(Log)
    inner.add_node("count", lambda s: {"log": [f"seen {len(s['log'])}"]})
    inner.add_edge(START, "count")
    graph = StateGraph(Log)
    graph.add_node("sub", inner.compile(checkpointer=True))
    graph.add_edge(START, "sub")
    app = graph.compile(checkpointer=saver)
    config = _config("keep")
    driver.invoke(app, {"log": ["a"]}, config)
    second = driver.invoke(app, {"log": ["b"]}, config)
    # The subgraph's second run starts from its own saved log (a, seen 1), not afresh.
    assert second["log"][-1] == "seen 6"


def test_remaining_steps(saver: BaseCheckpointSaver, driver: Driver) -> None:
    class State(TypedDict):
        log: Annotated[list[str], operator.add]
        remaining: RemainingSteps

    graph = StateGraph(State)
    graph.add_node("think", lambda s: {"log": [str(s["remaining"])]})
    graph.add_conditional_edges("think", lambda s: END if s["remaining"] <= 3 else "think")
    graph.add_edge(START, "think")
    app = graph.compile(checkpointer=saver)
    config = {**_config("steps"), "recursion_limit": 6}
    result = driver.invoke(app, {"log": []}, config)
    assert result == {"log": ["5", "4", "3"]}
    assert "remaining" not in driver.get_state(app, config).values


def test_typos_are_type_errors(saver: BaseCheckpointSaver) -> None:
    graph = StateGraph(Log)
    graph.add_node("a", _writes("a"))
    graph.add_edge(START, "a")
    app = graph.compile(checkpointer=saver)
    with pytest.raises(TypeError):
        app.invoke({"log": []}, _config("typo"), stream_mod="updates")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        graph.compile(checkpointr=saver)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        app.update_state(_config("typo"), {"log": []}, as_nod="a")  # type: ignore[call-arg]
    with pytest.raises(InvalidConfigError):
        list(app.stream({"log": []}, _config("typo"), stream_mode="nonsense"))  # type: ignore[arg-type]


def test_bulk_update_state_applies_supersteps(saver: BaseCheckpointSaver, driver: Driver) -> None:
    from cairngraph.types import StateUpdate

    class Log(TypedDict):
        log: Annotated[list[str], operator.add]

    graph = StateGraph(Log)
    for name in ("a", "b", "c"):
        graph.add_node(name, lambda s, name=name: {"log": [name]})
    graph.add_edge(START, "a")
    graph.add_edge(START, "b")
    graph.add_edge(["a", "b"], "c")
    app = graph.compile(checkpointer=saver)
    config = _config("bulk")
    # A saved input, run later by invoke(None):
    app.bulk_update_state(config, [[StateUpdate({"log": ["in"]}, as_node="__input__")]])
    assert driver.get_state(app, config).next == ("__start__",)
    assert driver.invoke(app, None, config) == {"log": ["in", "a", "b", "c"]}
    # Two nodes' updates in one superstep: one checkpoint, the join fires next.
    other = _config("bulk-2")
    made = app.bulk_update_state(
        other,
        [
            [StateUpdate({"log": ["seed"]}, as_node="__input__")],
            [StateUpdate({"log": ["A"]}, as_node="a"), StateUpdate({"log": ["B"]}, as_node="b")],
        ],
    )
    snapshot = driver.get_state(app, other)
    assert snapshot.config == made
    assert (snapshot.values, snapshot.next, snapshot.metadata["source"]) == (
        {"log": ["A", "B"]},
        ("c",),
        "update",
    )
    assert [s.metadata["source"] for s in driver.history(app, other)] == ["update", "input"]
    assert driver.invoke(app, None, other) == {"log": ["A", "B", "c"]}
    with pytest.raises(InvalidUpdateError, match="at least one superstep"):
        app.bulk_update_state(other, [])
    with pytest.raises(InvalidUpdateError, match="each need as_node"):
        app.bulk_update_state(other, [[StateUpdate({"log": ["x"]}), StateUpdate({"log": []})]])
    with pytest.raises(InvalidUpdateError, match="alone in its superstep"):
        app.bulk_update_state(
            other,
            [[StateUpdate({"log": ["x"]}, "__input__"), StateUpdate({"log": []}, as_node="a")]],
        )


def test_update_state_copy_forks_a_checkpoint(saver: BaseCheckpointSaver, driver: Driver) -> None:
    class Count(TypedDict):
        n: int

    graph = StateGraph(Count)
    graph.add_node("inc", lambda s: {"n": s["n"] + 1})
    graph.add_node("dbl", lambda s: {"n": s["n"] * 2})
    graph.add_edge(START, "inc")
    graph.add_edge("inc", "dbl")
    app = graph.compile(checkpointer=saver)
    config = _config("copy")
    driver.invoke(app, {"n": 1}, config)
    before = next(s for s in driver.history(app, config) if s.next == ("dbl",))
    copied = driver.update_state(app, before.config, None, as_node="__copy__")
    snapshot = driver.get_state(app, copied)
    assert (snapshot.values, snapshot.next, snapshot.metadata["source"]) == (
        {"n": 2},
        ("dbl",),
        "fork",
    )
    assert snapshot.parent_config == before.parent_config
    assert driver.invoke(app, None, copied) == {"n": 4}
    with pytest.raises(InvalidUpdateError):
        app.update_state(_config("nothing-saved"), None, as_node="__copy__")


def test_update_state_copy_applies_a_list_of_updates_to_the_copy(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    class Items(TypedDict):
        items: Annotated[list[str], operator.add]

    graph = StateGraph(Items)
    graph.add_node("left", lambda s: {"items": ["left"]})
    graph.add_node("right", lambda s: {"items": ["right"]})
    graph.add_node("join", lambda s: {"items": [f"join {len(s['items'])}"]})
    graph.add_edge(START, "left")
    graph.add_edge(START, "right")
    graph.add_edge(["left", "right"], "join")
    app = graph.compile(checkpointer=saver)
    config = _config("copy-list")
    driver.invoke(app, {"items": ["s"]}, config)
    before = next(s for s in driver.history(app, config) if s.next == ("left", "right"))
    updates = [
        ({"items": ["R1"]}, "right"),
        ({"items": ["L"]}, "left"),
        ({"items": ["R2"]}, "right"),
    ]
    updated = driver.update_state(app, before.config, updates, as_node="__copy__")
    snapshot = driver.get_state(app, updated)
    # Grouped by node in the order each first appears, as LangGraph applies them.
    assert snapshot.values == {"items": ["s", "R1", "R2", "L"]}
    assert (snapshot.next, snapshot.metadata["source"]) == (("join",), "update")
    copy = driver.get_state(app, snapshot.parent_config)
    assert (copy.metadata["source"], copy.next, copy.values) == (
        "fork",
        ("left", "right"),
        {"items": ["s"]},
    )
    assert driver.invoke(app, None, updated) == {"items": ["s", "R1", "R2", "L", "join 4"]}
    with pytest.raises(InvalidUpdateError, match="list of"):
        app.update_state(before.config, {"items": ["x"]}, as_node="__copy__")
    with pytest.raises(InvalidUpdateError, match="pair"):
        app.update_state(before.config, [{"items": ["x"]}], as_node="__copy__")
