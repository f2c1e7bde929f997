"""Per-attempt timeouts of graph nodes: ``add_node(timeout=)``, ``set_node_defaults``, ``Send``.

Real timing with small limits: a node that would sleep for seconds against a
limit of 0.05 s. The tests assert what happens (the error, the attempts, what
is saved, what runs on resume), never how fast it happens.
"""

from __future__ import annotations

import asyncio
import operator
from datetime import timedelta
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import ERROR, BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.config import get_stream_writer
from cairngraph.errors import (
    CairnGraphError,
    InvalidConfigError,
    InvalidGraphError,
    NodeTimeoutError,
)
from cairngraph.graph import START, StateGraph
from cairngraph.runtime import Runtime
from cairngraph.types import RetryPolicy, Send, TimeoutPolicy

HANG = 5.0  # far longer than any limit below: a node sleeping this long only ends by a timeout
FAST_RETRY = RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False)


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def cfg(thread: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def one_node(node: Any, **options: Any) -> StateGraph:
    builder = StateGraph(State)
    builder.add_node("node", node, **options)
    builder.add_edge(START, "node")
    return builder


async def hung(state: State) -> dict[str, Any]:
    await asyncio.sleep(HANG)
    return {"log": ["hung"]}


# -- the policy ---------------------------------------------------------------------------


def test_a_number_or_timedelta_is_a_run_timeout_in_seconds() -> None:
    assert TimeoutPolicy.coerce(2) == TimeoutPolicy(run_timeout=2.0)
    assert TimeoutPolicy.coerce(timedelta(milliseconds=250)) == TimeoutPolicy(run_timeout=0.25)
    policy = TimeoutPolicy.coerce(TimeoutPolicy(idle_timeout=timedelta(seconds=3)))
    assert policy is not None and policy.idle_timeout == 3.0 and type(policy.idle_timeout) is float
    assert TimeoutPolicy.coerce(None) is None
    assert TimeoutPolicy.coerce(TimeoutPolicy()) is None  # neither limit: no timeout


@pytest.mark.parametrize(
    "bad",
    [0, -1, float("inf"), float("nan"), timedelta(0), True, "5", TimeoutPolicy(idle_timeout=-1)],
)
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        TimeoutPolicy.coerce(bad)


@pytest.mark.parametrize("bad", [0, "5", TimeoutPolicy(idle_timeout=1, refresh_on="often")])  # type: ignore[arg-type]
def test_a_refused_timeout_is_a_cairngraph_config_error(bad: Any) -> None:
    with pytest.raises(InvalidConfigError, match=r"timeout|refresh_on"):
        TimeoutPolicy.coerce(bad)


def test_refresh_on_is_auto_or_heartbeat() -> None:
    with pytest.raises(ValueError, match="refresh_on"):
        TimeoutPolicy.coerce(TimeoutPolicy(idle_timeout=1, refresh_on="often"))  # type: ignore[arg-type]


def test_add_node_and_send_coerce_and_refuse_like_the_policy() -> None:
    with pytest.raises(ValueError, match="run_timeout"):
        StateGraph(State).add_node("node", hung, timeout=0)
    with pytest.raises(TypeError):
        StateGraph(State).add_node("node", hung, timeuot=1.0)  # type: ignore[call-arg]
    assert Send("node", 1, timeout=timedelta(seconds=1)).timeout == TimeoutPolicy(run_timeout=1.0)
    assert repr(Send("node", 1)) == "Send(node='node', arg=1)"
    assert Send("node", 1, timeout=1) != Send("node", 1)


# -- the error ----------------------------------------------------------------------------


def test_a_hung_node_is_cancelled_with_node_timeout_error() -> None:
    cancelled: list[bool] = []

    async def node(state: State) -> dict[str, Any]:
        try:
            await asyncio.sleep(HANG)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return {"log": ["never"]}

    graph = one_node(node, timeout=0.05).compile()
    with pytest.raises(NodeTimeoutError) as raised:
        asyncio.run(graph.ainvoke({"log": []}))
    error = raised.value
    assert (error.node, error.kind, error.timeout) == ("node", "run", 0.05)
    assert (error.run_timeout, error.idle_timeout) == (0.05, None)
    assert error.elapsed >= 0.05
    assert str(error).startswith("Node 'node' exceeded its run timeout of 0.050s (elapsed: ")
    assert isinstance(error, CairnGraphError)
    assert not isinstance(error, TimeoutError)  # so the default retry policy retries it
    assert cancelled == [True]


def test_a_node_that_finishes_in_time_is_not_affected() -> None:
    async def node(state: State) -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return {"log": ["done"]}

    graph = one_node(node, timeout=TimeoutPolicy(run_timeout=5.0, idle_timeout=5.0)).compile()
    assert asyncio.run(graph.ainvoke({"log": []})) == {"log": ["done"]}


def test_a_timeout_error_raised_by_the_node_itself_is_not_a_node_timeout() -> None:
    async def node(state: State) -> dict[str, Any]:
        raise TimeoutError("the API timed out")

    graph = one_node(node, timeout=5.0).compile()
    with pytest.raises(TimeoutError, match="the API") as raised:
        asyncio.run(graph.ainvoke({"log": []}))
    assert not isinstance(raised.value, NodeTimeoutError)


def test_what_the_timed_out_attempt_does_after_the_timeout_is_dropped() -> None:
    """A node that swallows its cancellation and returns anyway changes nothing."""

    async def stubborn(state: State) -> dict[str, Any]:
        writer = get_stream_writer()
        try:
            await asyncio.sleep(HANG)
        except asyncio.CancelledError:
            writer("late chunk")
            return {"log": ["late write"]}
        return {"log": ["never"]}

    graph = one_node(stubborn, timeout=0.05).compile(checkpointer=InMemorySaver())
    chunks: list[Any] = []

    async def run() -> None:
        async for chunk in graph.astream({"log": []}, cfg(), stream_mode=["custom", "values"]):
            chunks.append(chunk)

    with pytest.raises(NodeTimeoutError):
        asyncio.run(run())
    asyncio.run(asyncio.sleep(0.05))
    assert chunks == [("values", {"log": []})]
    assert graph.get_state(cfg()).values == {"log": []}


# -- retries ------------------------------------------------------------------------------


def test_a_retry_policy_retries_a_timeout_each_attempt_with_a_fresh_limit() -> None:
    attempts: list[int] = []

    async def node(state: State, runtime: Runtime) -> dict[str, Any]:
        assert runtime.execution_info is not None
        attempts.append(runtime.execution_info.node_attempt)
        await asyncio.sleep(HANG if len(attempts) < 3 else 0.03)
        return {"log": [f"attempt {len(attempts)}"]}

    graph = one_node(node, timeout=0.05, retry_policy=FAST_RETRY).compile()
    assert asyncio.run(graph.ainvoke({"log": []})) == {"log": ["attempt 3"]}
    assert attempts == [1, 2, 3]


def test_the_last_timeout_is_raised_when_the_attempts_run_out() -> None:
    attempts: list[int] = []

    async def node(state: State) -> dict[str, Any]:
        attempts.append(1)
        await asyncio.sleep(HANG)
        return {}

    policy = RetryPolicy(max_attempts=2, initial_interval=0.001, jitter=False)
    graph = one_node(node, timeout=0.05, retry_policy=policy).compile()
    with pytest.raises(NodeTimeoutError):
        asyncio.run(graph.ainvoke({"log": []}))
    assert len(attempts) == 2


def test_a_retry_policy_that_excludes_timeouts_does_not_retry_them() -> None:
    attempts: list[int] = []

    async def node(state: State) -> dict[str, Any]:
        attempts.append(1)
        await asyncio.sleep(HANG)
        return {}

    policy = RetryPolicy(initial_interval=0.001, retry_on=ConnectionError)
    graph = one_node(node, timeout=0.05, retry_policy=policy).compile()
    with pytest.raises(NodeTimeoutError):
        asyncio.run(graph.ainvoke({"log": []}))
    assert attempts == [1]


# -- what is saved, and resuming ----------------------------------------------------------


def test_a_timed_out_node_saves_nothing_and_invoke_none_runs_only_it(
    saver: BaseCheckpointSaver,
) -> None:
    runs: list[str] = []
    hang = {"on": True}

    async def steady(state: State) -> dict[str, Any]:
        runs.append("steady")
        return {"log": ["steady"]}

    async def stuck(state: State) -> dict[str, Any]:
        runs.append("stuck")
        await asyncio.sleep(HANG if hang["on"] else 0)
        return {"log": ["stuck"]}

    builder = StateGraph(State)
    builder.add_node("steady", steady)
    builder.add_node("stuck", stuck, timeout=0.05)
    builder.add_edge(START, "steady")
    builder.add_edge(START, "stuck")
    graph = builder.compile(checkpointer=saver)
    with pytest.raises(NodeTimeoutError):
        asyncio.run(graph.ainvoke({"log": []}, cfg()))
    snapshot = asyncio.run(graph.aget_state(cfg()))
    assert snapshot.next == ("stuck",)
    tasks = {task.name: task for task in snapshot.tasks}
    assert tasks["steady"].result == {"log": ["steady"]} and tasks["steady"].error is None
    assert tasks["stuck"].result is None
    assert tasks["stuck"].error is not None
    assert tasks["stuck"].error.startswith("NodeTimeoutError(\"Node 'stuck' exceeded")
    saved = saver.get_tuple(snapshot.config)
    assert saved is not None
    stuck_id = tasks["stuck"].id
    assert [channel for task_id, channel, _ in saved.pending_writes if task_id == stuck_id] == [
        ERROR
    ]
    hang["on"] = False
    assert asyncio.run(graph.ainvoke(None, cfg())) == {"log": ["steady", "stuck"]}
    assert runs == ["steady", "stuck", "stuck"]


def test_the_calls_a_timed_out_node_started_are_cancelled_and_not_saved(
    saver: BaseCheckpointSaver,
) -> None:
    from cairngraph.func import task

    finished: list[str] = []

    @task
    async def quick(x: int) -> int:
        finished.append("quick")
        return x

    @task
    async def lingering(x: int) -> int:
        await asyncio.sleep(0.2)  # past the node's limit, but before the loop below ends
        finished.append("lingering")
        return x

    async def node(state: State) -> dict[str, Any]:
        await quick(1)
        lingering(2)  # started, never awaited: the node hangs elsewhere
        await asyncio.sleep(HANG)
        return {"log": ["never"]}

    graph = one_node(node, timeout=0.1).compile(checkpointer=saver)

    async def run_then_wait() -> None:
        with pytest.raises(NodeTimeoutError):
            await graph.ainvoke({"log": []}, cfg())
        await asyncio.sleep(0.4)  # time enough for a call left running to finish

    asyncio.run(run_then_wait())
    assert finished == ["quick"]
    snapshot = graph.get_state(cfg())
    saved = saver.get_tuple(snapshot.config)
    assert saved is not None
    returns = [value for _, channel, value in saved.pending_writes if channel == "__return__"]
    assert returns == [1]  # the finished call only


# -- idle timeouts and progress -----------------------------------------------------------


async def beating(state: State, runtime: Runtime) -> dict[str, Any]:
    for _ in range(8):
        await asyncio.sleep(0.03)
        runtime.heartbeat()
    return {"log": ["beating"]}


async def writing(state: State) -> dict[str, Any]:
    writer = get_stream_writer()
    for i in range(8):
        await asyncio.sleep(0.03)
        writer(i)
    return {"log": ["writing"]}


def outcome(node: Any, policy: TimeoutPolicy) -> str:
    try:
        asyncio.run(one_node(node, timeout=policy).compile().ainvoke({"log": []}))
    except NodeTimeoutError as error:
        return error.kind
    return "finished"


def test_heartbeats_keep_an_idle_timeout_from_firing_in_both_modes() -> None:
    assert outcome(beating, TimeoutPolicy(idle_timeout=0.15)) == "finished"
    assert outcome(beating, TimeoutPolicy(idle_timeout=0.15, refresh_on="heartbeat")) == "finished"


def test_custom_writes_are_progress_only_with_refresh_on_auto() -> None:
    assert outcome(writing, TimeoutPolicy(idle_timeout=0.15)) == "finished"
    assert outcome(writing, TimeoutPolicy(idle_timeout=0.15, refresh_on="heartbeat")) == "idle"


def test_run_timeout_caps_an_attempt_whatever_its_progress() -> None:
    assert outcome(beating, TimeoutPolicy(idle_timeout=0.15, run_timeout=0.1)) == "run"


def test_an_idle_node_times_out_before_its_run_timeout() -> None:
    assert outcome(hung, TimeoutPolicy(idle_timeout=0.05, run_timeout=HANG)) == "idle"


def test_a_heartbeat_outside_a_timed_node_does_nothing() -> None:
    async def node(state: State, runtime: Runtime) -> dict[str, Any]:
        runtime.heartbeat()
        return {"log": ["ok"]}

    assert asyncio.run(one_node(node).compile().ainvoke({"log": []})) == {"log": ["ok"]}


def test_the_steps_of_a_subgraph_are_progress_for_the_node_running_it() -> None:
    async def step(state: State) -> dict[str, Any]:
        await asyncio.sleep(0.04)
        return {"log": ["step"]}

    inner = StateGraph(State)
    for name in ("one", "two", "three", "four"):
        inner.add_node(name, step)
    inner.add_edge(START, "one")
    inner.add_edge("one", "two")
    inner.add_edge("two", "three")
    inner.add_edge("three", "four")
    subgraph = inner.compile()

    async def calls_it(state: State) -> dict[str, Any]:
        return await subgraph.ainvoke(state)  # type: ignore[no-any-return]

    idle = TimeoutPolicy(idle_timeout=0.1)
    assert outcome(calls_it, idle) == "finished"
    assert outcome(subgraph, idle) == "finished"  # the subgraph as the node itself
    assert outcome(calls_it, TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat")) == "idle"


def test_a_subgraph_nodes_heartbeats_reach_the_node_running_it_but_not_its_writes() -> None:
    inner = StateGraph(State)
    inner.add_node("inner", beating)
    inner.add_edge(START, "inner")
    beats = inner.compile()
    quiet = StateGraph(State)
    quiet.add_node("inner", writing)
    quiet.add_edge(START, "inner")
    writes = quiet.compile()

    def running(subgraph: Any) -> Any:
        async def outer(state: State) -> dict[str, Any]:
            return await subgraph.ainvoke(state)  # type: ignore[no-any-return]

        return outer

    strict = TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat")
    assert outcome(running(beats), strict) == "finished"
    assert outcome(beats, strict) == "finished"
    # A subgraph node's custom writes are its own (as in LangGraph): the node took
    # longer than the idle limit between its start and its end.
    assert outcome(running(writes), TimeoutPolicy(idle_timeout=0.1)) == "idle"


def test_a_chat_models_tokens_are_progress() -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    class SlowModel(GenericFakeChatModel):
        async def _astream(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            async for chunk in super()._astream(*args, **kwargs):
                await asyncio.sleep(0.04)
                yield chunk

    async def llm(state: State) -> dict[str, Any]:
        model = SlowModel(messages=iter([AIMessage(content="one two three four five six")]))
        text = ""
        async for chunk in model.astream("hi"):  # no config: the node's is found anyway
            text += str(chunk.content)
        return {"log": [text]}

    assert outcome(llm, TimeoutPolicy(idle_timeout=0.15)) == "finished"
    assert outcome(llm, TimeoutPolicy(idle_timeout=0.15, refresh_on="heartbeat")) == "idle"


# -- defaults and Send --------------------------------------------------------------------


def test_set_node_defaults_times_every_node_without_its_own() -> None:
    async def quick(state: State) -> dict[str, Any]:
        return {"log": ["quick"]}

    async def slow(state: State) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {"log": ["slow"]}

    def build(**slow_options: Any) -> Any:
        builder = StateGraph(State).set_node_defaults(timeout=0.05)
        builder.add_node("quick", quick)
        builder.add_node("slow", slow, **slow_options)
        builder.add_edge(START, "quick")
        builder.add_edge("quick", "slow")
        return builder.compile()

    with pytest.raises(NodeTimeoutError) as raised:
        asyncio.run(build().ainvoke({"log": []}))
    assert raised.value.node == "slow"
    assert asyncio.run(build(timeout=HANG).ainvoke({"log": []})) == {"log": ["quick", "slow"]}


def test_set_node_defaults_also_gives_retry_and_cache_policies() -> None:
    attempts: list[int] = []

    async def flaky(state: State) -> dict[str, Any]:
        attempts.append(1)
        await asyncio.sleep(HANG if len(attempts) < 2 else 0)
        return {"log": ["ok"]}

    builder = StateGraph(State).set_node_defaults(retry_policy=FAST_RETRY, timeout=0.05)
    builder.add_node("flaky", flaky)
    builder.add_edge(START, "flaky")
    assert asyncio.run(builder.compile().ainvoke({"log": []})) == {"log": ["ok"]}
    assert len(attempts) == 2


def test_send_timeout_replaces_the_nodes_own() -> None:
    async def work(item: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(item["delay"])
        return {"log": [item["name"]]}

    def build(sends: list[Send], **options: Any) -> Any:
        builder = StateGraph(State)
        builder.add_node("work", work, **options)
        builder.add_conditional_edges(START, lambda state: sends)
        return builder.compile()

    longer = [Send("work", {"name": "a", "delay": 0.15}, timeout=HANG)]
    assert asyncio.run(build(longer, timeout=0.05).ainvoke({"log": []})) == {"log": ["a"]}
    shorter = [
        Send("work", {"name": "a", "delay": 0.0}),
        Send("work", {"name": "b", "delay": HANG}, timeout=0.05),
    ]
    with pytest.raises(NodeTimeoutError):
        asyncio.run(build(shorter).ainvoke({"log": []}))


def test_a_sends_timeout_is_saved_with_it_and_applies_on_resume(
    saver: BaseCheckpointSaver,
) -> None:
    delays = {"a": 0.0, "b": HANG}
    runs: list[str] = []

    async def work(item: dict[str, Any]) -> dict[str, Any]:
        runs.append(item["name"])
        await asyncio.sleep(delays[item["name"]])
        return {"log": [item["name"]]}

    def build() -> Any:
        builder = StateGraph(State)
        builder.add_node("work", work)
        builder.add_conditional_edges(
            START, lambda state: [Send("work", {"name": n}, timeout=0.05) for n in "ab"]
        )
        return builder.compile(checkpointer=saver)

    with pytest.raises(NodeTimeoutError):
        asyncio.run(build().ainvoke({"log": []}, cfg()))
    with pytest.raises(NodeTimeoutError):  # a new graph reads the Sends back from the saver
        asyncio.run(build().ainvoke(None, cfg()))
    delays["b"] = 0.0
    assert asyncio.run(build().ainvoke(None, cfg())) == {"log": ["a", "b"]}
    assert runs == ["a", "b", "b", "b"]


# -- sync code is refused -----------------------------------------------------------------


def sync_node(state: State) -> dict[str, Any]:
    return {"log": ["sync"]}


def test_a_sync_node_with_a_timeout_is_refused_at_compile() -> None:
    with pytest.raises(InvalidGraphError, match="node 'node' has timeout= but is a sync"):
        one_node(sync_node, timeout=1.0).compile()
    builder = StateGraph(State).set_node_defaults(timeout=1.0)
    builder.add_node("sync_node", sync_node)
    builder.add_edge(START, "sync_node")
    with pytest.raises(ValueError, match="async def"):
        builder.compile()


def test_a_timed_node_in_a_sync_run_is_refused() -> None:
    graph = one_node(hung, timeout=1.0).compile()
    with pytest.raises(InvalidConfigError, match="ainvoke"):
        graph.invoke({"log": []})


def test_a_send_timeout_on_a_sync_node_is_refused_when_it_would_run() -> None:
    builder = StateGraph(State)
    builder.add_node("sync_node", sync_node)
    builder.add_conditional_edges(START, lambda state: [Send("sync_node", {}, timeout=1.0)])
    with pytest.raises(InvalidConfigError, match="async def"):
        asyncio.run(builder.compile().ainvoke({"log": []}))


def test_a_callable_object_with_an_async_call_may_have_a_timeout() -> None:
    class Hung:
        __name__ = "hung"

        async def __call__(self, state: State) -> dict[str, Any]:
            await asyncio.sleep(HANG)
            return {}

    graph = one_node(Hung(), timeout=0.05).compile()
    with pytest.raises(NodeTimeoutError):
        asyncio.run(graph.ainvoke({"log": []}))


def test_a_timed_node_may_pause_on_an_interrupt_and_resume() -> None:
    from cairngraph.types import Command, interrupt

    class Answer(TypedDict):
        log: Annotated[list[str], operator.add]

    async def ask(state: Answer) -> dict[str, Any]:
        answer = interrupt("approve?")
        await asyncio.sleep(0.01)
        return {"log": [answer]}

    builder = StateGraph(Answer)
    builder.add_node("ask", ask, timeout=HANG)
    builder.add_edge(START, "ask")
    graph = builder.compile(checkpointer=InMemorySaver())
    paused = asyncio.run(graph.ainvoke({"log": []}, cfg()))
    assert [item.value for item in paused["__interrupt__"]] == ["approve?"]
    assert asyncio.run(graph.ainvoke(Command(resume="yes"), cfg())) == {"log": ["yes"]}
