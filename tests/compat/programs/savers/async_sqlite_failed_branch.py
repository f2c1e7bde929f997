"""AsyncSqliteSaver: a failing sibling keeps the successful one's writes; the resume reruns the
failed one only.
"""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph

runs = {"fast": 0, "slow": 0}
failing = {"slow": True}


class State(TypedDict):
    out: Annotated[list[str], operator.add]


async def fast(state: State) -> dict:
    runs["fast"] += 1
    return {"out": ["fast"]}


async def slow(state: State) -> dict:
    runs["slow"] += 1
    await asyncio.sleep(0.01)
    if failing["slow"]:
        raise KeyError("missing key in slow")
    return {"out": ["slow"]}


builder = StateGraph(State)
builder.add_node("fast", fast)
builder.add_node("slow", slow)
builder.add_edge(START, "fast")
builder.add_edge(START, "slow")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "fb"}}
        try:
            await graph.ainvoke({"out": []}, config)
        except KeyError as exc:
            print("error:", exc)
        saved = await saver.aget_tuple(config)
        print("pending", len(saved.pending_writes), sorted({w[1] for w in saved.pending_writes}))
        failing["slow"] = False
        print(sorted((await graph.ainvoke(None, config))["out"]), runs)


asyncio.run(main())
