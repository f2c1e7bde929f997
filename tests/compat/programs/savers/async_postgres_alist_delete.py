"""AsyncPostgresSaver: alist(), aget_tuple() and adelete_thread() across two threads."""

import asyncio
import os
from typing import TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    word: str


builder = StateGraph(State)
builder.add_node("rev", lambda s: {"word": s["word"][::-1]})
builder.add_edge(START, "rev")


async def main() -> None:
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        for word in ("stop", "live"):
            await graph.ainvoke({"word": word}, {"configurable": {"thread_id": word}})
        async for item in saver.alist({"configurable": {"thread_id": "stop"}}):
            print(
                item.metadata["step"],
                item.metadata["source"],
                item.checkpoint["channel_values"].get("word"),
                item.parent_config is None,
            )
        print(len([c async for c in saver.alist(None)]), "in all")
        found = await saver.aget_tuple({"configurable": {"thread_id": "live"}})
        print(found.checkpoint["channel_values"]["word"], found.metadata["step"])
        await saver.adelete_thread("stop")
        print(await saver.aget_tuple({"configurable": {"thread_id": "stop"}}))
        print(len([c async for c in saver.alist(None)]), "left")
        print(await graph.ainvoke({"word": "drawer"}, {"configurable": {"thread_id": "stop"}}))


asyncio.run(main())
