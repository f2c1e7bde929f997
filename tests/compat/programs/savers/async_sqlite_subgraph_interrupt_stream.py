"""AsyncSqliteSaver: astream(subgraphs=True) in updates and values modes through a subgraph's
interrupt and resume.
"""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


async def ask(state: State) -> dict:
    return {"log": [interrupt({"q": "inner?"})]}


inner = StateGraph(State)
inner.add_node("prep", lambda s: {"log": ["prep"]})
inner.add_node("ask", ask)
inner.add_edge(START, "prep")
inner.add_edge("prep", "ask")

outer = StateGraph(State)
outer.add_node("sub", inner.compile())
outer.add_node("after", lambda s: {"log": ["after"]})
outer.add_edge(START, "sub")
outer.add_edge("sub", "after")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = outer.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "nested"}}
        modes = ["updates", "values"]
        async for ns, mode, chunk in graph.astream(
            {"log": []}, config, stream_mode=modes, subgraphs=True
        ):
            print([part.split(":")[0] for part in ns], mode, chunk)
        async for ns, mode, chunk in graph.astream(
            Command(resume="yes"), config, stream_mode=modes, subgraphs=True
        ):
            print([part.split(":")[0] for part in ns], mode, chunk)


asyncio.run(main())
