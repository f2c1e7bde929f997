"""interrupt() in an async node with ainvoke and astream."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    city: str
    booked: str


async def confirm(state: State) -> dict:
    await asyncio.sleep(0)
    ok = interrupt(f"book a trip to {state['city']}?")
    return {"booked": "yes" if ok else "no"}


builder = StateGraph(State)
builder.add_node("confirm", confirm)
builder.add_edge(START, "confirm")
graph = builder.compile(checkpointer=InMemorySaver())


async def main() -> None:
    config = {"configurable": {"thread_id": "trip"}}
    result = await graph.ainvoke({"city": "Porto", "booked": ""}, config)
    print(result["__interrupt__"][0].value)
    snapshot = await graph.aget_state(config)
    print(snapshot.next, len(snapshot.interrupts))
    async for chunk in graph.astream(Command(resume=True), config):
        print(chunk)
    print((await graph.aget_state(config)).values)


asyncio.run(main())
