"""AsyncPostgresSaver: Send fan-out streamed with astream(updates); history of the fan-out step."""

import asyncio
import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    nums: list[int]
    squares: Annotated[list[int], operator.add]


async def square(job: dict) -> dict:
    return {"squares": [job["n"] ** 2]}


builder = StateGraph(State)
builder.add_node("square", square)
builder.add_node("total", lambda s: {"squares": [sum(s["squares"])]})
builder.add_conditional_edges(
    START, lambda s: [Send("square", {"n": n}) for n in s["nums"]], ["square"]
)
builder.add_edge("square", "total")


async def main() -> None:
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "sq"}}
        chunks = [
            c
            async for c in graph.astream(
                {"nums": [1, 2, 3], "squares": []}, config, stream_mode="updates"
            )
        ]
        print(sorted(str(c) for c in chunks))
        async for snap in graph.aget_state_history(config):
            print(
                snap.metadata["step"],
                sorted(snap.next),
                len(snap.tasks),
                sorted(snap.values.get("squares", [])),
            )


asyncio.run(main())
