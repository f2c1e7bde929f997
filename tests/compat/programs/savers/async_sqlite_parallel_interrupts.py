"""AsyncSqliteSaver: parallel interrupts answered with a dict of interrupt ids in one Command."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    votes: Annotated[list[str], operator.add]


def voter(name):
    async def vote(state: State) -> dict:
        return {"votes": [f"{name}:{interrupt(f'{name} votes?')}"]}

    return vote


builder = StateGraph(State)
for name in ("alice", "bob", "carol"):
    builder.add_node(name, voter(name))
    builder.add_edge(START, name)


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "vote"}}
        result = await graph.ainvoke({"votes": []}, config)
        print(sorted(i.value for i in result["__interrupt__"]))
        state = await graph.aget_state(config)
        first = next(i for i in state.interrupts if i.value.startswith("alice"))
        result = await graph.ainvoke(Command(resume={first.id: "yes"}), config)
        print(sorted(result["votes"]), sorted(i.value for i in result["__interrupt__"]))
        state = await graph.aget_state(config)
        rest = {i.id: "no" for i in state.interrupts}
        result = await graph.ainvoke(Command(resume=rest), config)
        print(sorted(result["votes"]), "__interrupt__" in result)


asyncio.run(main())
