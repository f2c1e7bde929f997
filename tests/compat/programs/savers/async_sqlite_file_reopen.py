"""AsyncSqliteSaver on a file: interrupt_before saved, then continued by a second saver."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    stages: Annotated[list[str], operator.add]


def build():
    builder = StateGraph(State)
    builder.add_node("build", lambda s: {"stages": ["build"]})
    builder.add_node("deploy", lambda s: {"stages": ["deploy"]})
    builder.add_edge(START, "build")
    builder.add_edge("build", "deploy")
    return builder


async def main() -> None:
    config = {"configurable": {"thread_id": "ci"}}
    async with AsyncSqliteSaver.from_conn_string("ci.db") as saver:
        graph = build().compile(checkpointer=saver, interrupt_before=["deploy"])
        async for chunk in graph.astream({"stages": []}, config, stream_mode="updates"):
            print(chunk)
    async with AsyncSqliteSaver.from_conn_string("ci.db") as saver:
        graph = build().compile(checkpointer=saver, interrupt_before=["deploy"])
        state = await graph.aget_state(config)
        print(state.next, state.values)
        async for chunk in graph.astream(None, config, stream_mode="values"):
            print(chunk)
        print(len([s async for s in graph.aget_state_history(config)]))


asyncio.run(main())
