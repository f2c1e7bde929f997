"""An async node raising inside astream: chunks before it arrive, then the error."""

import asyncio
from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    value: int


async def ok(state: State) -> dict:
    return {"value": state["value"] + 1}


async def boom(state: State) -> dict:
    await asyncio.sleep(0)
    raise KeyError("missing-key")


builder = StateGraph(State)
builder.add_node("ok", ok)
builder.add_node("boom", boom)
builder.add_edge(START, "ok")
builder.add_edge("ok", "boom")
graph = builder.compile()


async def main() -> None:
    try:
        async for chunk in graph.astream({"value": 1}):
            print("chunk", chunk)
    except KeyError as exc:
        print("caught KeyError", exc)
    try:
        await graph.ainvoke({"value": 1})
    except KeyError:
        print("ainvoke: caught KeyError")


asyncio.run(main())
