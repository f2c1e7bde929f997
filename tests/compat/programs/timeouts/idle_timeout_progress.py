"""idle_timeout: heartbeats and custom stream writes refresh it (refresh_on="auto"); with
refresh_on="heartbeat" only heartbeats do; run_timeout caps the attempt whatever the progress."""

import asyncio
from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.errors import NodeTimeoutError
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import TimeoutPolicy


class State(TypedDict):
    done: str


async def beating(state: State, runtime: Runtime) -> dict:
    for _ in range(8):
        await asyncio.sleep(0.03)
        runtime.heartbeat()
    return {"done": "beating"}


async def writing(state: State) -> dict:
    writer = get_stream_writer()
    for i in range(8):
        await asyncio.sleep(0.03)
        writer({"tick": i})
    return {"done": "writing"}


async def silent(state: State) -> dict:
    await asyncio.sleep(5)
    return {"done": "silent"}


def graph_of(node, policy):
    builder = StateGraph(State)
    builder.add_node(node.__name__, node, timeout=policy)
    builder.add_edge(START, node.__name__)
    return builder.compile()


async def run(label, node, policy, **kwargs) -> None:
    try:
        if kwargs:
            chunks = [c async for c in graph_of(node, policy).astream({"done": ""}, **kwargs)]
            print(label, chunks)
        else:
            print(label, await graph_of(node, policy).ainvoke({"done": ""}))
    except NodeTimeoutError as error:
        print(
            label,
            "NodeTimeoutError",
            error.node,
            error.kind,
            error.timeout,
            error.run_timeout,
            error.idle_timeout,
        )


async def main() -> None:
    await run("heartbeat/auto", beating, TimeoutPolicy(idle_timeout=0.15))
    await run(
        "heartbeat/heartbeat", beating, TimeoutPolicy(idle_timeout=0.15, refresh_on="heartbeat")
    )
    await run("writer/auto", writing, TimeoutPolicy(idle_timeout=0.15))
    await run(
        "writer/auto streamed",
        writing,
        TimeoutPolicy(idle_timeout=0.15),
        stream_mode=["custom", "updates"],
    )
    await run("writer/heartbeat", writing, TimeoutPolicy(idle_timeout=0.15, refresh_on="heartbeat"))
    await run("silent/idle", silent, TimeoutPolicy(idle_timeout=0.05))
    await run("heartbeat capped", beating, TimeoutPolicy(idle_timeout=0.15, run_timeout=0.1))
    await run("both limits, idle first", silent, TimeoutPolicy(idle_timeout=0.05, run_timeout=1.0))


asyncio.run(main())
