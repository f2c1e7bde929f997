"""Graph behaviour on every saver, through the sync and the async driver."""

from __future__ import annotations

import itertools
import operator
import threading
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, Send
from tests.graph.conftest import Driver


class Joke(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


class Log(TypedDict, total=False):
    topic: str
    log: Annotated[list[str], operator.add]


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def joke_graph(saver: BaseCheckpointSaver | None) -> Any:
    graph = StateGraph(Joke)
    graph.add_node("generate_joke", lambda s: {"joke": f"Why did the {s['topic']} cross?"})
    graph.add_node("explain_joke", lambda s: {"explanation": f"It is about {s['topic']}."})
    graph.add_edge(START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", END)
    return graph.compile(checkpointer=saver)


def test_every_step_is_saved_and_linked(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app = joke_graph(saver)
    config = _config("t1")
    result = driver.invoke(app, {"topic": "chicken"}, config)
    assert result == {
        "topic": "chicken",
        "joke": "Why did the chicken cross?",
        "explanation": "It is about chicken.",
    }
    history = driver.history(app, config)
    assert [(s.metadata["source"], s.metadata["step"], s.next) for s in history] == [
        ("loop", 2, ()),
        ("loop", 1, ("explain_joke",)),
        ("loop", 0, ("generate_joke",)),
        ("input", -1, ("__start__",)),
    ]
    assert all(s.metadata["parents"] == {} for s in history)
    for child, parent in itertools.pairwise(history):
        assert child.parent_config == parent.config
    assert history[-1].parent_config is None
    assert history[-1].values == {}
    assert history[-1].tasks[0].result == {"topic": "chicken"}
    state = driver.get_state(app, config)
    assert state.values == result and state.next == ()
    assert state.config["configurable"]["thread_id"] == "t1"
    assert state.created_at is not None


def test_history_filter_before_limit(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app = joke_graph(saver)
    config = _config("t2")
    driver.invoke(app, {"topic": "a"}, config)
    everything = driver.history(app, config)
    assert len(driver.history(app, config, limit=2)) == 2
    loops = driver.history(app, config, filter={"source": "loop"})
    assert [s.metadata["step"] for s in loops] == [2, 1, 0]
    older = driver.history(app, config, before=everything[1].config)
    assert [s.config for s in older] == [s.config for s in everything[2:]]


def test_threads_are_isolated(saver: BaseCheckpointSaver) -> None:
    app = joke_graph(saver)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            app.invoke({"topic": f"topic-{index}"}, _config(f"iso-{index}"))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for index in range(20):
        values = app.get_state(_config(f"iso-{index}")).values
        assert values["topic"] == f"topic-{index}"
        assert f"topic-{index}" in values["joke"]


def test_fan_out_and_join_wait_for_all(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    graph.add_node("a", lambda s: {"log": ["a"]})
    graph.add_node("b", lambda s: {"log": ["b"]})
    graph.add_node("b2", lambda s: {"log": ["b2"]})
    graph.add_node("c", lambda s: {"log": ["c"]})
    graph.add_conditional_edges(START, lambda s: ["a", "b"])
    graph.add_edge("b", "b2")
    graph.add_edge(["a", "b2"], "c")
    app = graph.compile(checkpointer=saver)
    result = driver.invoke(app, {"topic": "x"}, _config("fan"))
    assert result["log"] == ["a", "b", "b2", "c"]
    steps = [s.next for s in driver.history(app, _config("fan"))]
    assert steps == [(), ("c",), ("b2",), ("a", "b"), ("__start__",)]


def test_send_map_reduce(saver: BaseCheckpointSaver, driver: Driver) -> None:
    class State(TypedDict, total=False):
        items: list[str]
        done: Annotated[list[str], operator.add]

    graph = StateGraph(State)
    graph.add_node("work", lambda item: {"done": [item.upper()]})
    graph.add_conditional_edges(START, lambda s: [Send("work", item) for item in s["items"]])
    app = graph.compile(checkpointer=saver)
    result = driver.invoke(app, {"items": ["x", "y", "z"]}, _config("send"))
    assert result["done"] == ["X", "Y", "Z"]


def test_command_goto_and_update(saver: BaseCheckpointSaver, driver: Driver) -> None:
    graph = StateGraph(Log)
    graph.add_node("route", lambda s: Command(update={"log": ["route"]}, goto="target"))
    graph.add_node("target", lambda s: {"log": ["target"]})
    graph.add_node("skipped", lambda s: {"log": ["skipped"]})
    graph.add_edge(START, "route")
    app = graph.compile(checkpointer=saver)
    assert driver.invoke(app, {"topic": "t"}, _config("cmd"))["log"] == ["route", "target"]


def test_stream_modes(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app = joke_graph(saver)
    updates = driver.stream(app, {"topic": "cat"}, _config("s1"))
    assert [list(chunk) for chunk in updates] == [["generate_joke"], ["explain_joke"]]
    values = driver.stream(app, {"topic": "dog"}, _config("s2"), stream_mode="values")
    assert values[0] == {"topic": "dog"} and values[-1]["explanation"] == "It is about dog."
    both = driver.stream(app, {"topic": "eel"}, _config("s3"), stream_mode=["values", "updates"])
    assert [mode for mode, _ in both] == ["values", "updates", "values", "updates", "values"]
    debug = driver.stream(app, {"topic": "fox"}, _config("s4"), stream_mode="debug")
    kinds = [(event["type"], event["step"]) for event in debug]
    assert kinds[:2] == [("checkpoint", -1), ("checkpoint", 0)]
    assert ("task", 1) in kinds and ("task_result", 1) in kinds and kinds[-1] == ("checkpoint", 2)


def test_pydantic_and_dataclass_state(saver: BaseCheckpointSaver, driver: Driver) -> None:
    from dataclasses import dataclass

    from pydantic import BaseModel

    class Model(BaseModel):
        topic: str
        joke: str = ""

    @dataclass
    class Data:
        topic: str
        joke: str = ""

    for schema in (Model, Data):
        graph = StateGraph(schema)
        graph.add_node("write", lambda s: {"joke": f"joke about {s.topic}"})
        graph.add_edge(START, "write")
        app = graph.compile(checkpointer=saver)
        config = _config(f"schema-{schema.__name__}")
        assert driver.invoke(app, {"topic": "owls"}, config)["joke"] == "joke about owls"


def test_retry_policy(saver: BaseCheckpointSaver, driver: Driver) -> None:
    from cairngraph.types import RetryPolicy

    calls: list[int] = []

    def flaky(state: Joke) -> dict[str, str]:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("network blip")
        return {"joke": "finally"}

    graph = StateGraph(Joke)
    graph.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0.001, jitter=False))
    graph.add_edge(START, "flaky")
    app = graph.compile(checkpointer=saver)
    assert driver.invoke(app, {"topic": "t"}, _config("retry"))["joke"] == "finally"
    assert len(calls) == 3


def test_durability_modes_end_in_the_same_state(saver: BaseCheckpointSaver, driver: Driver) -> None:
    app = joke_graph(saver)
    for mode in ("sync", "async", "exit"):
        config = _config(f"dur-{mode}")
        driver.invoke(app, {"topic": mode}, config, durability=mode)
        history = driver.history(app, config)
        assert history[0].values["explanation"] == f"It is about {mode}."
        expected = 1 if mode == "exit" else 4
        assert len(history) == expected, mode


def test_draw_mermaid() -> None:
    text = joke_graph(None).get_graph().draw_mermaid()
    assert "generate_joke --> explain_joke;" in text
    assert text.startswith("graph TD;")


def test_graph_without_checkpointer_runs(driver: Driver) -> None:
    assert driver.invoke(joke_graph(None), {"topic": "x"})["explanation"] == "It is about x."


def test_unrelated_edge_target_in_conditional_is_error(saver: BaseCheckpointSaver) -> None:
    from cairngraph.errors import InvalidUpdateError

    graph = StateGraph(Joke)
    graph.add_node("a", lambda s: {"joke": "j"})
    graph.add_edge(START, "a")
    graph.add_conditional_edges("a", lambda s: "nowhere")
    app = graph.compile(checkpointer=saver)
    with pytest.raises(InvalidUpdateError, match="unknown node 'nowhere'"):
        app.invoke({"topic": "t"}, _config("route-err"))
    assert app.get_state(_config("route-err")).values == {"topic": "t"}


def test_async_durability_reports_a_failed_save(driver: Driver) -> None:
    from cairngraph.checkpoint.memory import InMemorySaver

    class Failing(InMemorySaver):
        def put_steps(self, steps: Any) -> Any:
            raise OSError("disk full")

    app = joke_graph(Failing())
    with pytest.raises(OSError, match="disk full"):
        driver.invoke(app, {"topic": "x"}, _config("full"), durability="async")


class _Fan(TypedDict, total=False):
    items: Annotated[list[int], operator.add]


def test_many_sends_reach_a_reducer_in_the_order_they_were_sent() -> None:
    """Twelve ``Send``s in one step: task paths sort as numbers (10 after 9, not after 1)."""

    def spread(state: _Fan) -> list[Send]:
        return [Send("work", {"items": [n]}) for n in range(12)]

    builder = StateGraph(_Fan)
    builder.add_node("work", lambda state: {"items": [state["items"][0] * 10]})
    builder.add_conditional_edges(START, spread, ["work"])
    builder.add_edge("work", END)
    assert builder.compile().invoke({"items": []}) == {"items": [n * 10 for n in range(12)]}
