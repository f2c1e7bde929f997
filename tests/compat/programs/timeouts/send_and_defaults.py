"""Send(timeout=) times out one pushed task of a fan-out; set_node_defaults(timeout=) applies to
every node without its own timeout, and a node's own timeout wins."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeTimeoutError
from langgraph.graph import START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    delays: list
    done: Annotated[list, operator.add]


async def work(item: dict) -> dict:
    await asyncio.sleep(item["delay"])
    return {"done": [item["delay"]]}


def fan_out(state: State) -> list:
    return [
        Send("work", {"delay": delay}, timeout=limit) if limit else Send("work", {"delay": delay})
        for delay, limit in state["delays"]
    ]


builder = StateGraph(State)
builder.add_node("work", work)
builder.add_conditional_edges(START, fan_out)
graph = builder.compile(checkpointer=InMemorySaver())


async def slow(state: State) -> dict:
    await asyncio.sleep(0.3)
    return {"done": ["slow"]}


async def quick(state: State) -> dict:
    return {"done": ["quick"]}


def short(error: Exception) -> str:
    return str(error).split(" (elapsed")[0]


async def main() -> None:
    config = {"configurable": {"thread_id": "fan"}}
    try:
        await graph.ainvoke({"delays": [(0, None), (5, 0.05), (0.01, 1.0)], "done": []}, config)
    except NodeTimeoutError as error:
        print("fan-out:", short(error))
    snapshot = await graph.aget_state(config)
    print("next", snapshot.next)
    for task in snapshot.tasks:
        print(" ", task.name, task.result, task.error and short(Exception(task.error)))

    defaults = StateGraph(State).set_node_defaults(timeout=0.05)
    defaults.add_node("quick", quick)
    defaults.add_node("slow", slow)
    defaults.add_edge(START, "quick")
    defaults.add_edge("quick", "slow")
    try:
        await defaults.compile().ainvoke({"delays": [], "done": []})
    except NodeTimeoutError as error:
        print("defaults:", short(error))

    own = StateGraph(State).set_node_defaults(timeout=0.05)
    own.add_node("quick", quick)
    own.add_node("slow", slow, timeout=2.0)
    own.add_edge(START, "quick")
    own.add_edge("quick", "slow")
    print("own timeout wins:", await own.compile().ainvoke({"delays": [], "done": []}))


asyncio.run(main())
