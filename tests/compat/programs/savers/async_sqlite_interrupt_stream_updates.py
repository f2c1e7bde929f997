"""AsyncSqliteSaver: astream(updates) shows the __interrupt__ chunk; the resume streams the rest."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


async def gate(state: State) -> dict:
    ok = interrupt({"waiting_at": "gate", "steps_so_far": len(state["steps"])})
    return {"steps": [f"gate {ok}"]}


builder = StateGraph(State)
builder.add_node("start", lambda s: {"steps": ["start"]})
builder.add_node("gate", gate)
builder.add_node("end", lambda s: {"steps": ["end"]})
builder.add_edge(START, "start")
builder.add_edge("start", "gate")
builder.add_edge("gate", "end")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "gate"}}
        async for chunk in graph.astream({"steps": []}, config, stream_mode="updates"):
            if "__interrupt__" in chunk:
                print("interrupt", [i.value for i in chunk["__interrupt__"]])
            else:
                print(chunk)
        async for mode, chunk in graph.astream(
            Command(resume="open"), config, stream_mode=["updates", "values"]
        ):
            print(mode, chunk)


asyncio.run(main())
