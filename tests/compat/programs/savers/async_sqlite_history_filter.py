"""AsyncSqliteSaver: aget_state_history with filter=, before= and limit=."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    count: int


builder = StateGraph(State)
builder.add_node("up", lambda s: {"count": s["count"] + 1})
builder.add_node("up_again", lambda s: {"count": s["count"] + 1})
builder.add_edge(START, "up")
builder.add_edge("up", "up_again")


async def history(graph, config, **kwargs):
    return [
        (s.metadata["step"], s.metadata["source"], s.values.get("count"))
        async for s in graph.aget_state_history(config, **kwargs)
    ]


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "h"}}
        await graph.ainvoke({"count": 0}, config)
        await graph.ainvoke({"count": 5}, config)
        print(await history(graph, config))
        print(await history(graph, config, filter={"source": "loop"}))
        print(await history(graph, config, filter={"source": "input", "step": 3}))
        print(await history(graph, config, limit=1))
        snaps = [s async for s in graph.aget_state_history(config)]
        print(await history(graph, config, before=snaps[2].config, limit=2))


asyncio.run(main())
