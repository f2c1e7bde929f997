"""The sync SqliteSaver used from async code (ainvoke, aget_state), a common mistake."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")


async def main(graph) -> None:
    config = {"configurable": {"thread_id": "mixed"}}
    try:
        print(await graph.ainvoke({"x": 1}, config))
        print((await graph.aget_state(config)).values)
    except NotImplementedError as exc:
        print("NotImplementedError:", str(exc).split(".")[0])
    print(graph.invoke({"x": 5}, config))


with SqliteSaver.from_conn_string(":memory:") as saver:
    asyncio.run(main(builder.compile(checkpointer=saver)))
