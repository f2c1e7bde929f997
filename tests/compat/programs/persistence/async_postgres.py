"""AsyncPostgresSaver: ainvoke, an interrupt, and resume in a second connection."""

import asyncio
import os
from typing import TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    request: str
    approved: bool


async def ask(state: State) -> dict:
    answer = interrupt({"question": f"approve {state['request']}?"})
    return {"approved": answer == "yes"}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")


async def main() -> None:
    config = {"configurable": {"thread_id": "apg"}}
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        result = await graph.ainvoke({"request": "refund"}, config)
        print([i.value for i in result["__interrupt__"]])
        snapshot = await graph.aget_state(config)
        print(snapshot.next, [t.name for t in snapshot.tasks])
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        graph = builder.compile(checkpointer=saver)
        print(await graph.ainvoke(Command(resume="yes"), config))
        async for s in graph.aget_state_history(config):
            print(s.metadata["step"], s.metadata["source"], s.next)


asyncio.run(main())
