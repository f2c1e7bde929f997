"""AsyncPostgresSaver: a failing parallel branch; the resume in a new saver runs only the failed
node.
"""

import asyncio
import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
runs = {"thumbs": 0, "transcode": 0, "publish": 0}
broken = {"transcode": True}


class State(TypedDict):
    assets: Annotated[list[str], operator.add]


async def thumbs(state: State) -> dict:
    runs["thumbs"] += 1
    return {"assets": ["thumbs"]}


async def transcode(state: State) -> dict:
    runs["transcode"] += 1
    if broken["transcode"]:
        await asyncio.sleep(0.05)  # fails after thumbs is done
        raise OSError("disk full")
    return {"assets": ["video"]}


async def publish(state: State) -> dict:
    runs["publish"] += 1
    return {"assets": [f"published {len(state['assets'])}"]}


builder = StateGraph(State)
builder.add_node("thumbs", thumbs)
builder.add_node("transcode", transcode)
builder.add_node("publish", publish)
builder.add_edge(START, "thumbs")
builder.add_edge(START, "transcode")
builder.add_edge(["thumbs", "transcode"], "publish")


async def main() -> None:
    config = {"configurable": {"thread_id": "media"}}
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        try:
            await graph.ainvoke({"assets": []}, config)
        except OSError as exc:
            print("error:", exc)
    broken["transcode"] = False
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        graph = builder.compile(checkpointer=saver)
        saved = await saver.aget_tuple(config)
        print("pending", len(saved.pending_writes))
        state = await graph.aget_state(config)
        print(
            sorted(state.next), [(t.name, type(t.error).__name__) for t in state.tasks if t.error]
        )
        print(sorted((await graph.ainvoke(None, config))["assets"]), runs)


asyncio.run(main())
