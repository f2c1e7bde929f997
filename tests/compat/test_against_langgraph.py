"""The same programs on LangGraph and on cairngraph: the observations must be equal.

Each program takes an engine namespace (:func:`tests.compat.lib.load`) and
returns what a user would observe: results, stream chunks, saved histories.
"""

from __future__ import annotations

import asyncio
import itertools
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import pytest
from pydantic import BaseModel

from tests.compat.lib import history, load, meta, plain, state

PROGRAMS: dict[str, Callable[[Any], Any]] = {}


def program(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    PROGRAMS[function.__name__] = function
    return function


class Joke(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


class Log(TypedDict, total=False):
    topic: str
    log: Annotated[list[str], operator.add]


def cfg(thread: str = "1", **extra: Any) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, **extra}}


def joke_graph(lib: Any) -> Any:
    graph = lib.StateGraph(Joke)
    graph.add_node("generate_joke", lambda s: {"joke": f"Why did the {s['topic']} cross?"})
    graph.add_node("explain_joke", lambda s: {"explanation": f"About {s['topic']}."})
    graph.add_edge(lib.START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", lib.END)
    return graph


def chain(lib: Any, names: list[str], schema: Any = Log) -> Any:
    graph = lib.StateGraph(schema)
    for name in names:
        graph.add_node(name, lambda s, name=name: {"log": [name]})
    graph.add_edge(lib.START, names[0])
    for left, right in itertools.pairwise(names):
        graph.add_edge(left, right)
    return graph


@program
def tutorial_joke(lib: Any) -> Any:
    app = joke_graph(lib).compile(checkpointer=lib.InMemorySaver())
    result = app.invoke({"topic": "chickens"}, cfg())
    return result, state(app, cfg()), history(app, cfg())


@program
def tutorial_fork_new_thread(lib: Any) -> Any:
    app = joke_graph(lib).compile(checkpointer=lib.InMemorySaver())
    app.invoke({"topic": "chickens"}, cfg())
    base = next(iter(app.get_state_history(cfg()))).values
    app.invoke(base, cfg("fork_1"))
    return history(app, cfg("fork_1"))


@program
def stream_updates_values(lib: Any) -> Any:
    app = chain(lib, ["a", "b", "c"]).compile(checkpointer=lib.InMemorySaver())
    return (
        plain(list(app.stream({"topic": "x"}, cfg("u")))),
        plain(list(app.stream({"topic": "x"}, cfg("v"), stream_mode="values"))),
        plain(list(app.stream({"topic": "x"}, cfg("w"), stream_mode=["updates", "values"]))),
    )


@program
def stream_debug_types(lib: Any) -> Any:
    app = chain(lib, ["a", "b"]).compile(checkpointer=lib.InMemorySaver())
    return [(e["type"], e["step"]) for e in app.stream({"topic": "x"}, cfg(), stream_mode="debug")]


@program
def conditional_with_path_map(lib: Any) -> Any:
    graph = lib.StateGraph(Log)
    graph.add_node("start", lambda s: {"log": ["start"]})
    graph.add_node("yes", lambda s: {"log": ["yes"]})
    graph.add_node("no", lambda s: {"log": ["no"]})
    graph.add_edge(lib.START, "start")
    graph.add_conditional_edges("start", lambda s: s["topic"] == "go", {True: "yes", False: "no"})
    app = graph.compile(checkpointer=lib.InMemorySaver())
    return (
        app.invoke({"topic": "go"}, cfg("a")),
        history(app, cfg("a")),
        app.invoke({"topic": "stop"}, cfg("b")),
    )


@program
def fan_out_and_join(lib: Any) -> Any:
    graph = lib.StateGraph(Log)
    for name in ("a", "b", "b2", "c"):
        graph.add_node(name, lambda s, name=name: {"log": [name]})
    graph.add_conditional_edges(lib.START, lambda s: ["a", "b"])
    graph.add_edge("b", "b2")
    graph.add_edge(["a", "b2"], "c")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    return app.invoke({"topic": "x"}, cfg()), history(app, cfg())


@program
def send_map_reduce(lib: Any) -> Any:
    class State(TypedDict, total=False):
        items: list[str]
        done: Annotated[list[str], operator.add]

    graph = lib.StateGraph(State)
    graph.add_node("work", lambda item: {"done": [item.upper()]})
    graph.add_node("after", lambda s: {"items": []})
    graph.add_conditional_edges(lib.START, lambda s: [lib.Send("work", i) for i in s["items"]])
    graph.add_edge("work", "after")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    result = app.invoke({"items": ["x", "y", "z"]}, cfg())
    return result, [(h["metadata"], h["next"]) for h in history(app, cfg())]


@program
def command_goto(lib: Any) -> Any:
    graph = lib.StateGraph(Log)
    graph.add_node("route", lambda s: lib.Command(update={"log": ["route"]}, goto="target"))
    graph.add_node("target", lambda s: {"log": ["target"]})
    graph.add_edge(lib.START, "route")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    return (
        app.invoke({"topic": "t"}, cfg()),
        history(app, cfg()),
        plain(list(app.stream({"topic": "t"}, cfg("s")))),
    )


@program
def interrupt_twice_and_resume(lib: Any) -> Any:
    def ask(state: Joke) -> dict[str, str]:
        first = lib.interrupt({"question": "topic?"})
        second = lib.interrupt("really?")
        return {"joke": f"{first}/{second}"}

    graph = lib.StateGraph(Joke)
    graph.add_node("ask", ask)
    graph.add_node("after", lambda s: {"explanation": "done"})
    graph.add_edge(lib.START, "ask")
    graph.add_edge("ask", "after")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    observed = [plain(app.invoke({"topic": "t"}, cfg())), state(app, cfg())]
    observed.append(plain(app.invoke(lib.Command(resume="cats"), cfg())))
    observed.append(state(app, cfg()))
    observed.append(
        plain(list(app.stream(lib.Command(resume="yes"), cfg(), stream_mode=["values", "updates"])))
    )
    observed.append(history(app, cfg()))
    return observed


@program
def interrupt_before_after(lib: Any) -> Any:
    app = chain(lib, ["a", "b", "c"]).compile(
        checkpointer=lib.InMemorySaver(), interrupt_before=["b"], interrupt_after=["b"]
    )
    observed = [plain(list(app.stream({"topic": "t"}, cfg(), stream_mode="updates")))]
    observed.append(state(app, cfg()))
    observed.append(plain(app.invoke(None, cfg())))
    observed.append(state(app, cfg()))
    observed.append(plain(list(app.stream(None, cfg(), stream_mode=["values", "updates"]))))
    observed.append(history(app, cfg()))
    return observed


@program
def update_state_then_resume(lib: Any) -> Any:
    app = joke_graph(lib).compile(
        checkpointer=lib.InMemorySaver(), interrupt_before=["explain_joke"]
    )
    app.invoke({"topic": "owls"}, cfg())
    app.update_state(cfg(), {"joke": "edited"})
    middle = state(app, cfg())
    app.update_state(cfg(), {"joke": "as generator"}, as_node="generate_joke")
    result = app.invoke(None, cfg())
    return middle, result, history(app, cfg())


@program
def time_travel_fork(lib: Any) -> Any:
    app = chain(lib, ["a", "b", "c"]).compile(checkpointer=lib.InMemorySaver())
    app.invoke({"topic": "t"}, cfg())
    snapshots = list(app.get_state_history(cfg()))
    before_b = next(s for s in snapshots if s.next == ("b",))
    replayed = app.invoke(None, before_b.config)
    edited = app.update_state(before_b.config, {"log": ["edit"]})
    after_edit = app.invoke(None, edited)
    return replayed, after_edit, history(app, cfg())


@program
def history_filter_before_limit(lib: Any) -> Any:
    app = chain(lib, ["a", "b", "c", "d"]).compile(checkpointer=lib.InMemorySaver())
    app.invoke({"topic": "t"}, cfg())
    everything = list(app.get_state_history(cfg()))
    return (
        [s.metadata["step"] for s in app.get_state_history(cfg(), limit=2)],
        [s.metadata["step"] for s in app.get_state_history(cfg(), filter={"source": "loop"})],
        [s.metadata["step"] for s in app.get_state_history(cfg(), filter={"step": 2})],
        [s.metadata["step"] for s in app.get_state_history(cfg(), before=everything[2].config)],
    )


@program
def failure_in_parallel_step_resumes_failed_only(lib: Any) -> Any:
    calls = {"ok": 0, "flaky": 0}
    broken = {"yes": True}

    def ok(state: Log) -> dict[str, list[str]]:
        calls["ok"] += 1
        return {"log": ["ok"]}

    def flaky(state: Log) -> dict[str, list[str]]:
        calls["flaky"] += 1
        if broken["yes"]:
            # Fail only once "ok" has finished: LangGraph loses a sibling's writes when the
            # failure comes first (a race in its executor), which is not what this compares.
            time.sleep(0.3)
            raise ValueError("boom")
        return {"log": ["flaky"]}

    graph = lib.StateGraph(Log)
    graph.add_node("ok", ok)
    graph.add_node("flaky", flaky)
    graph.add_conditional_edges(lib.START, lambda s: ["ok", "flaky"])
    app = graph.compile(checkpointer=lib.InMemorySaver())
    with pytest.raises(ValueError, match="boom"):
        app.invoke({"topic": "t"}, cfg())
    failed = state(app, cfg())
    broken["yes"] = False
    result = app.invoke(None, cfg())
    return failed, result, dict(calls), history(app, cfg())


@program
def messages_state(lib: Any) -> Any:
    from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage

    graph = lib.StateGraph(lib.MessagesState)
    graph.add_node("bot", lambda s: {"messages": [AIMessage(content="hi", id="a1")]})
    graph.add_node(
        "edit",
        lambda s: {"messages": [AIMessage(content="hello", id="a1"), RemoveMessage(id="h1")]},
    )
    graph.add_edge(lib.START, "bot")
    graph.add_edge("bot", "edit")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    result = app.invoke({"messages": [HumanMessage(content="hey", id="h1")]}, cfg())
    merged = lib.add_messages(
        [{"role": "user", "content": "x", "id": "1"}],
        [{"role": "assistant", "content": "y", "id": "2"}],
    )
    return plain(result), history(app, cfg()), plain(merged)


@program
def reducers_and_defaults(lib: Any) -> Any:
    class State(TypedDict):
        total: Annotated[int, operator.add]
        items: Annotated[list[str], operator.add]
        name: str

    graph = lib.StateGraph(State)
    graph.add_node("a", lambda s: {"total": 2, "items": ["a"]})
    graph.add_node("b", lambda s: {"total": 3, "items": ["b"]})
    graph.add_conditional_edges(lib.START, lambda s: ["a", "b"])
    app = graph.compile(checkpointer=lib.InMemorySaver())
    return app.invoke({"name": "n"}, cfg()), history(app, cfg())


@program
def subgraph_state_and_history(lib: Any) -> Any:
    child = lib.StateGraph(Joke)
    child.add_node("draft", lambda s: {"joke": f"draft about {s['topic']}"})
    child.add_node("review", lambda s: {"joke": f"{s['joke']} ({lib.interrupt('ok?')})"})
    child.add_edge(lib.START, "draft")
    child.add_edge("draft", "review")
    parent = lib.StateGraph(Joke)
    parent.add_node("writer", child.compile())
    parent.add_node("explain", lambda s: {"explanation": f"explained: {s['joke']}"})
    parent.add_edge(lib.START, "writer")
    parent.add_edge("writer", "explain")
    app = parent.compile(checkpointer=lib.InMemorySaver())
    paused = plain(app.invoke({"topic": "owls"}, cfg()))
    snapshot = app.get_state(cfg(), subgraphs=True)
    inner = snapshot.tasks[0].state
    inner_view = {
        "values": plain(inner.values),
        "next": list(inner.next),
        "metadata": meta(inner.metadata),
    }
    done = app.invoke(lib.Command(resume="approved"), cfg())
    return paused, list(snapshot.next), inner_view, done, history(app, cfg())


@program
def input_and_output_schemas(lib: Any) -> Any:
    class Inner(TypedDict, total=False):
        topic: str
        joke: str
        secret: str

    class In(TypedDict):
        topic: str

    class Out(TypedDict):
        joke: str

    graph = lib.StateGraph(Inner, input_schema=In, output_schema=Out)
    graph.add_node("a", lambda s: {"joke": f"about {s['topic']}", "secret": "s"})
    graph.add_edge(lib.START, "a")
    app = graph.compile(checkpointer=lib.InMemorySaver())
    return app.invoke({"topic": "t"}, cfg()), history(app, cfg())


@program
def dataclass_and_pydantic_state(lib: Any) -> Any:
    @dataclass
    class Data:
        topic: str
        joke: str = ""

    class Model(BaseModel):
        topic: str
        joke: str = ""

    out = []
    for schema in (Data, Model):
        graph = lib.StateGraph(schema)
        graph.add_node("write", lambda s: {"joke": f"joke about {s.topic}"})
        graph.add_edge(lib.START, "write")
        app = graph.compile(checkpointer=lib.InMemorySaver())
        out.append((plain(app.invoke({"topic": "owls"}, cfg())), history(app, cfg())))
    return out


@program
def recursion_limit(lib: Any) -> Any:
    class Counter(TypedDict):
        n: Annotated[int, operator.add]

    graph = lib.StateGraph(Counter)
    graph.add_node("loop", lambda s: {"n": 1})
    graph.add_edge(lib.START, "loop")
    graph.add_conditional_edges("loop", lambda s: "loop" if s["n"] < 10 else lib.END)
    app = graph.compile()
    outcomes = []
    for limit in (5, 10, 11, 12):
        try:
            outcomes.append(app.invoke({"n": 0}, {"recursion_limit": limit}))
        except lib.GraphRecursionError:
            outcomes.append("GraphRecursionError")
    return outcomes


@program
def async_invoke_and_stream(lib: Any) -> Any:
    async def write(state: Joke) -> dict[str, str]:
        return {"joke": f"async {state['topic']}"}

    graph = lib.StateGraph(Joke)
    graph.add_node("write", write)
    graph.add_node("explain", lambda s: {"explanation": "sync node under async"})
    graph.add_edge(lib.START, "write")
    graph.add_edge("write", "explain")
    app = graph.compile(checkpointer=lib.InMemorySaver())

    async def scenario() -> Any:
        result = await app.ainvoke({"topic": "t"}, cfg("a"))
        chunks = [chunk async for chunk in app.astream({"topic": "t"}, cfg("b"))]
        return result, plain(chunks), history(app, cfg("a"))

    return asyncio.run(scenario())


@program
def batch_many_threads(lib: Any) -> Any:
    app = joke_graph(lib).compile(checkpointer=lib.InMemorySaver())
    results = app.batch([{"topic": f"t{i}"} for i in range(5)], [cfg(f"b{i}") for i in range(5)])
    return results, [state(app, cfg(f"b{i}"))["values"] for i in range(5)]


@program
def finished_thread_with_new_node_langgraph_rule(lib: Any) -> Any:
    saver = lib.InMemorySaver()
    app = joke_graph(lib).compile(checkpointer=saver)
    app.invoke({"topic": "t"}, cfg())
    graph = joke_graph(lib)

    class Rated(Joke, total=False):
        rating: int

    graph = lib.StateGraph(Rated)
    graph.add_node("generate_joke", lambda s: {"joke": "j"})
    graph.add_node("explain_joke", lambda s: {"explanation": "e"})
    graph.add_node("rate_joke", lambda s: {"rating": 5})
    graph.add_edge(lib.START, "generate_joke")
    graph.add_edge("generate_joke", "explain_joke")
    graph.add_edge("explain_joke", "rate_joke")
    options = {} if lib.name == "langgraph" else {"continue_into_new_nodes": False}
    app = graph.compile(checkpointer=saver, **options)
    return app.invoke(None, cfg()), history(app, cfg())


def _without_pending_joins(observed: Any) -> Any:
    """LangGraph's history lists a join's target in ``next`` as soon as one of its
    sources has run, though it runs only once all have (its debug stream agrees
    it does not run then). cairngraph lists only nodes that will run. This
    removes such not-yet-runnable tasks (no result, waiting on a join) from
    LangGraph's history, and nothing else."""
    result, snapshots = observed
    fixed = []
    for snapshot in snapshots:
        tasks = [
            t
            for t in snapshot["tasks"]
            if not (t["name"] == "c" and t["result"] is None and snapshot["next"] != ["c"])
        ]
        names = [t["name"] for t in tasks]
        fixed.append(
            {**snapshot, "tasks": tasks, "next": [n for n in snapshot["next"] if n in names]}
        )
    return [result, fixed]


KNOWN_DIFFERENCES: dict[str, Callable[[Any], Any]] = {
    "fan_out_and_join": _without_pending_joins,
}
"""Deliberate differences, each documented in docs/compatibility.md."""


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_observations(name: str) -> None:
    expected = plain(PROGRAMS[name](load("langgraph")))
    actual = plain(PROGRAMS[name](load("cairngraph")))
    if name in KNOWN_DIFFERENCES:
        # Not required to differ: LangGraph runs parallel sync nodes on threads, and
        # whether its history shows the pending join depends on which finishes first.
        expected = KNOWN_DIFFERENCES[name](expected)
    assert actual == expected
