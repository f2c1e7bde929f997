"""AsyncSqliteSaver: durability="exit" with an error mid-run keeps what the run reached."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph

fail = {"third": True}


class State(TypedDict):
    done: Annotated[list[str], operator.add]


async def third(state: State) -> dict:
    if fail["third"]:
        raise RuntimeError("third step failed")
    return {"done": ["third"]}


builder = StateGraph(State)
builder.add_node("first", lambda s: {"done": ["first"]})
builder.add_node("second", lambda s: {"done": ["second"]})
builder.add_node("third", third)
builder.add_edge(START, "first")
builder.add_edge("first", "second")
builder.add_edge("second", "third")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string("exit.db") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "ex"}}
        try:
            await graph.ainvoke({"done": []}, config, durability="exit")
        except RuntimeError as exc:
            print("error:", exc)
        state = await graph.aget_state(config)
        print(state.values, state.next, state.metadata["step"])
        print(
            [
                (s.metadata["step"], s.metadata["source"])
                async for s in graph.aget_state_history(config)
            ]
        )
        fail["third"] = False
        print(await graph.ainvoke(None, config, durability="exit"))
        print(
            [
                (s.metadata["step"], s.metadata["source"])
                async for s in graph.aget_state_history(config)
            ]
        )


asyncio.run(main())
