"""AsyncPostgresSaver: aget_state(subgraphs=True) inside an interrupted subgraph, and its
history.
"""

import asyncio
import os
from typing import TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    route: str


async def confirm(state: State) -> dict:
    return {"route": state["route"] + " -> " + interrupt("confirm route")}


inner = StateGraph(State)
inner.add_node("plan", lambda s: {"route": s["route"] + " -> plan"})
inner.add_node("confirm", confirm)
inner.add_edge(START, "plan")
inner.add_edge("plan", "confirm")

outer = StateGraph(State)
outer.add_node("nav", inner.compile())
outer.add_edge(START, "nav")


async def main() -> None:
    config = {"configurable": {"thread_id": "nav"}}
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = outer.compile(checkpointer=saver)
        await graph.ainvoke({"route": "home"}, config)
        state = await graph.aget_state(config, subgraphs=True)
        sub = state.tasks[0].state
        print(state.next, sub.next, sub.values)
        print([(s.metadata["step"], s.next) async for s in graph.aget_state_history(sub.config)])
        print(await graph.ainvoke(Command(resume="work"), config))
        print((await graph.aget_state(config, subgraphs=True)).tasks)


asyncio.run(main())
