"""AsyncSqliteSaver: aget_state(subgraphs=True) on an interrupted subgraph, then aupdate_state on
it.
"""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    value: str


child = StateGraph(State)
child.add_node("c1", lambda s: {"value": s["value"] + " c1"})
child.add_node("c2", lambda s: {"value": s["value"] + " c2"})
child.add_edge(START, "c1")
child.add_edge("c1", "c2")

parent = StateGraph(State)
parent.add_node("p", lambda s: {"value": s["value"] + " p"})
parent.add_node("child", child.compile(interrupt_before=["c2"]))
parent.add_edge(START, "p")
parent.add_edge("p", "child")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = parent.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "s"}}
        print(await graph.ainvoke({"value": "x"}, config))
        state = await graph.aget_state(config, subgraphs=True)
        print(state.next, state.values)
        sub = state.tasks[0].state
        print(sub.next, sub.values)
        await graph.aupdate_state(sub.config, {"value": "patched"})
        print((await graph.aget_state(config, subgraphs=True)).tasks[0].state.values)
        print(await graph.ainvoke(None, config))


asyncio.run(main())
