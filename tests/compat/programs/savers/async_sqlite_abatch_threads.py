"""AsyncSqliteSaver: abatch over three threads, then each thread's state and history."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    name: str
    greeting: str


async def greet(state: State) -> dict:
    return {"greeting": f"hi {state['name']}"}


builder = StateGraph(State)
builder.add_node("greet", greet)
builder.add_edge(START, "greet")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string("batch.db") as saver:
        graph = builder.compile(checkpointer=saver)
        names = ["ann", "bo", "cy"]
        configs = [{"configurable": {"thread_id": n}} for n in names]
        print(await graph.abatch([{"name": n, "greeting": ""} for n in names], configs))
        for config in configs:
            state = await graph.aget_state(config)
            print(
                config["configurable"]["thread_id"],
                state.values["greeting"],
                state.metadata["step"],
            )
    async with AsyncSqliteSaver.from_conn_string("batch.db") as saver:
        print(len([c async for c in saver.alist(None)]), "checkpoints")


asyncio.run(main())
