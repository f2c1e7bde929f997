"""langchain-core's adispatch_custom_event / dispatch_custom_event called inside
nodes reach the handlers given in config["callbacks"] (and do not fail without
any)."""

import asyncio
from typing import TypedDict

from langchain_core.callbacks import (
    AsyncCallbackHandler,
    BaseCallbackHandler,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


class Progress(AsyncCallbackHandler):
    async def on_custom_event(self, name, data, *, run_id, tags=None, metadata=None, **kwargs):
        print("event", name, data, metadata["langgraph_node"], metadata["langgraph_step"])


class SyncProgress(BaseCallbackHandler):
    def on_custom_event(self, name, data, *, run_id, tags=None, metadata=None, **kwargs):
        print("sync event", name, data, metadata["langgraph_node"])


async def fetch(state: State, config) -> dict:
    await adispatch_custom_event("progress", {"pct": 50}, config=config)
    await adispatch_custom_event("progress", {"pct": 100})
    return {"x": state["x"] + 1}


def count(state: State) -> dict:
    dispatch_custom_event("counted", {"x": state["x"]})
    return {"x": state["x"] * 10}


async_builder = StateGraph(State)
async_builder.add_node("fetch", fetch)
async_builder.add_edge(START, "fetch")
async_graph = async_builder.compile()

sync_builder = StateGraph(State)
sync_builder.add_node("count", count)
sync_builder.add_edge(START, "count")
sync_graph = sync_builder.compile()


async def main() -> None:
    print(await async_graph.ainvoke({"x": 1}, {"callbacks": [Progress()]}))
    print(await async_graph.ainvoke({"x": 2}))


asyncio.run(main())
print(sync_graph.invoke({"x": 3}, {"callbacks": [SyncProgress()]}))
print(sync_graph.invoke({"x": 4}))
