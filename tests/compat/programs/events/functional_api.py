"""astream_events on an @entrypoint with @task calls."""

import asyncio

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task


@task
async def add_one(value: int) -> int:
    return value + 1


@task
async def double(value: int) -> int:
    return value * 2


@entrypoint(checkpointer=InMemorySaver())
async def workflow(value: int) -> int:
    first = await add_one(value)
    return await double(first)


async def main():
    config = {"configurable": {"thread_id": "f"}}
    async for event in workflow.astream_events(3, config, version="v2"):
        metadata = event["metadata"]
        print(
            event["event"],
            event["name"],
            event["tags"],
            event["run_id"],
            event["parent_ids"],
            metadata.get("langgraph_node"),
            metadata.get("langgraph_step"),
            event["data"],
        )


asyncio.run(main())
