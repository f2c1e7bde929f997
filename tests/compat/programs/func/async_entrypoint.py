"""async def entrypoint and tasks: await futures, gather them, stream with astream."""

import asyncio

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import Command, interrupt


@task
async def double(x: int) -> int:
    await asyncio.sleep(0.01)
    return 2 * x


@task
def plain_add(x: int, y: int) -> int:
    return x + y


@entrypoint(checkpointer=InMemorySaver())
async def main(numbers: list[int]) -> dict:
    doubled = await asyncio.gather(*[double(n) for n in numbers])
    total = await plain_add(doubled[0], doubled[-1])
    answer = interrupt({"total": total})
    return {"doubled": doubled, "total": total, "answer": answer}


async def run() -> None:
    config = {"configurable": {"thread_id": "1"}}
    async for chunk in main.astream([1, 2, 3], config):
        print(chunk)
    snapshot = await main.aget_state(config)
    print("next", snapshot.next)
    print(await main.ainvoke(Command(resume="ok"), config))


asyncio.run(run())
