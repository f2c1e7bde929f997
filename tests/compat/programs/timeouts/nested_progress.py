"""What refreshes an idle_timeout from below: the steps of a subgraph and its nodes' heartbeats
do; a called task's heartbeats and custom writes do not, nor a subgraph node's custom writes."""

import asyncio
from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.errors import NodeTimeoutError
from langgraph.func import entrypoint, task
from langgraph.graph import START, StateGraph
from langgraph.runtime import get_runtime
from langgraph.types import TimeoutPolicy

AUTO = TimeoutPolicy(idle_timeout=0.1)
STRICT = TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat")


class State(TypedDict):
    steps: int


async def step(state: State) -> dict:
    await asyncio.sleep(0.04)
    return {"steps": state["steps"] + 1}


async def beats(state: State) -> dict:
    for _ in range(6):
        await asyncio.sleep(0.04)
        get_runtime().heartbeat()
    return {"steps": state["steps"] + 1}


async def writes(state: State) -> dict:
    writer = get_stream_writer()
    for i in range(6):
        await asyncio.sleep(0.04)
        writer(i)
    return {"steps": state["steps"] + 1}


def subgraph(*nodes):
    builder = StateGraph(State)
    previous = START
    for index, node in enumerate(nodes):
        builder.add_node(f"n{index}", node)
        builder.add_edge(previous, f"n{index}")
        previous = f"n{index}"
    return builder.compile()


def parent(sub, policy, *, as_node=False):
    async def outer(state: State) -> dict:
        return await sub.ainvoke(state)

    builder = StateGraph(State)
    builder.add_node("outer", sub if as_node else outer, timeout=policy)
    builder.add_edge(START, "outer")
    return builder.compile()


@task
async def beating_task(n: int) -> int:
    for _ in range(n):
        await asyncio.sleep(0.04)
        get_runtime().heartbeat()
    return n


@task
async def writing_task(n: int) -> int:
    writer = get_stream_writer()
    for i in range(n):
        await asyncio.sleep(0.04)
        writer(i)
    return n


@task
async def short_task(i: int) -> int:
    await asyncio.sleep(0.04)
    return i


@entrypoint(timeout=STRICT)
async def strict_workflow(n: int) -> int:
    return await beating_task(n)


@entrypoint(timeout=AUTO)
async def writing_workflow(n: int) -> int:
    return await writing_task(n)


@entrypoint(timeout=AUTO)
async def many_calls(n: int) -> list:
    return [await short_task(i) for i in range(n)]


async def run(label, coroutine) -> None:
    try:
        print(label, await coroutine)
    except NodeTimeoutError as error:
        print(label, "NodeTimeoutError", error.node, error.kind)


async def main() -> None:
    four_steps = subgraph(step, step, step, step)
    await run("subgraph steps / auto", parent(four_steps, AUTO).ainvoke({"steps": 0}))
    await run("subgraph node / auto", parent(four_steps, AUTO, as_node=True).ainvoke({"steps": 0}))
    await run("subgraph steps / heartbeat", parent(four_steps, STRICT).ainvoke({"steps": 0}))
    await run(
        "subgraph heartbeats / heartbeat", parent(subgraph(beats), STRICT).ainvoke({"steps": 0})
    )
    await run("subgraph writes / auto", parent(subgraph(writes), AUTO).ainvoke({"steps": 0}))
    await run("task heartbeats / heartbeat", strict_workflow.ainvoke(6))
    await run("task writes / auto", writing_workflow.ainvoke(6))
    await run("many short calls / auto", many_calls.ainvoke(5))


asyncio.run(main())
