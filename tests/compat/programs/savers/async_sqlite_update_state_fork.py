"""AsyncSqliteSaver: aupdate_state as a node and from an older checkpoint, then ainvoke the fork."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    words: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("hello", lambda s: {"words": ["hello"]})
builder.add_node("world", lambda s: {"words": ["world"]})
builder.add_edge(START, "hello")
builder.add_edge("hello", "world")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "f"}}
        print(await graph.ainvoke({"words": []}, config))
        snaps = [s async for s in graph.aget_state_history(config)]
        after_hello = next(s for s in snaps if s.next == ("world",))
        fork = await graph.aupdate_state(after_hello.config, {"words": ["dear"]}, as_node="hello")
        state = await graph.aget_state(fork)
        print(state.values, state.next, state.metadata["source"], state.metadata["step"])
        print(await graph.ainvoke(None, fork))
        await graph.aupdate_state(config, {"words": ["!"]}, as_node="world")
        state = await graph.aget_state(config)
        print(state.values, state.next)
        print(len([s async for s in graph.aget_state_history(config)]))


asyncio.run(main())
