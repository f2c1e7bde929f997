"""AsyncPostgresSaver: aget_state_history(filter=, before=, limit=) and alist() on the saver."""

import asyncio
import os
from typing import TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    level: int


builder = StateGraph(State)
builder.add_node("climb", lambda s: {"level": s["level"] + 1})
builder.add_node("rest", lambda s: {"level": s["level"]})
builder.add_edge(START, "climb")
builder.add_edge("climb", "rest")


async def main() -> None:
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "mountain"}}
        await graph.ainvoke({"level": 0}, config)
        await graph.ainvoke({"level": 10}, {**config, "metadata": {"attempt": 2}})
        rows = [
            (s.metadata["step"], s.metadata["source"], s.values.get("level"))
            async for s in graph.aget_state_history(config)
        ]
        print(rows)
        print(
            [
                s.metadata["step"]
                async for s in graph.aget_state_history(config, filter={"attempt": 2})
            ]
        )
        print(
            [
                s.metadata["step"]
                async for s in graph.aget_state_history(config, filter={"source": "input"}, limit=1)
            ]
        )
        snaps = [s async for s in graph.aget_state_history(config)]
        print(
            [
                s.metadata["step"]
                async for s in graph.aget_state_history(config, before=snaps[1].config, limit=3)
            ]
        )
        print([c.metadata["step"] async for c in saver.alist(config, filter={"step": 0})])


asyncio.run(main())
