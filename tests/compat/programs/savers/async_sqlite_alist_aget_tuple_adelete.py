"""AsyncSqliteSaver: alist(), aget_tuple() and adelete_thread() as users print them."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("sq", lambda s: {"x": s["x"] ** 2})
builder.add_edge(START, "sq")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        one = {"configurable": {"thread_id": "one"}}
        two = {"configurable": {"thread_id": "two"}}
        await graph.ainvoke({"x": 3}, one)
        await graph.ainvoke({"x": 4}, two)
        async for item in saver.alist(one):
            print(
                item.metadata["step"],
                item.metadata["source"],
                item.checkpoint["channel_values"],
                len(item.pending_writes),
            )
        print(len([c async for c in saver.alist(None)]), "in all")
        print(len([c async for c in saver.alist(one, filter={"source": "loop"})]), "loop")
        found = await saver.aget_tuple(two)
        print(
            found.metadata["step"],
            found.checkpoint["channel_values"],
            found.parent_config is not None,
        )
        await saver.adelete_thread("one")
        print(await saver.aget_tuple(one), (await graph.aget_state(one)).values)
        print(len([c async for c in saver.alist(None)]), "left")


asyncio.run(main())
