"""AsyncPostgresSaver: parallel interrupts, resumed with an id -> value dict in a second saver."""

import asyncio
import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    signoffs: Annotated[list[str], operator.add]


def signoff(team):
    async def node(state: State) -> dict:
        return {"signoffs": [f"{team}={interrupt({'team': team})}"]}

    return node


builder = StateGraph(State)
for team in ("legal", "security"):
    builder.add_node(team, signoff(team))
    builder.add_edge(START, team)
builder.add_node("release", lambda s: {"signoffs": ["released"]})
builder.add_edge(["legal", "security"], "release")


async def main() -> None:
    config = {"configurable": {"thread_id": "rel"}}
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        result = await graph.ainvoke({"signoffs": []}, config)
        print(sorted(i.value["team"] for i in result["__interrupt__"]))
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        graph = builder.compile(checkpointer=saver)
        state = await graph.aget_state(config)
        print(sorted(state.next))
        answers = {i.id: "ok-" + i.value["team"] for i in state.interrupts}
        result = await graph.ainvoke(Command(resume=answers), config)
        print(sorted(result["signoffs"]))
        print((await graph.aget_state(config)).next)


asyncio.run(main())
