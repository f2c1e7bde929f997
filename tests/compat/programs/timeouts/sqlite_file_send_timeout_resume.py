"""A Send(timeout=) saved in a SQLite file: the fan-out times out, the saver is reopened, and
invoke(None) runs the timed-out task again with its timeout (it times out again, then a fix
of the work lets it finish)."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.errors import NodeTimeoutError
from langgraph.graph import START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    items: list
    done: Annotated[list, operator.add]


delays = {"a": 0.0, "b": 5.0}
runs = []


async def work(item: dict) -> dict:
    runs.append(item["name"])
    await asyncio.sleep(delays[item["name"]])
    return {"done": [item["name"]]}


def fan_out(state: State) -> list:
    return [Send("work", {"name": name}, timeout=0.05) for name in state["items"]]


builder = StateGraph(State)
builder.add_node("work", work)
builder.add_conditional_edges(START, fan_out)
config = {"configurable": {"thread_id": "t"}}


def short(error: object) -> str:
    return str(error).split(" (elapsed")[0]


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string("fan.db") as saver:
        graph = builder.compile(checkpointer=saver)
        try:
            await graph.ainvoke({"items": ["a", "b"], "done": []}, config)
        except NodeTimeoutError as error:
            print("first run:", short(error))
    async with AsyncSqliteSaver.from_conn_string("fan.db") as saver:
        graph = builder.compile(checkpointer=saver)
        snapshot = await graph.aget_state(config)
        print("next", snapshot.next, [(t.result, short(t.error)) for t in snapshot.tasks])
        try:
            await graph.ainvoke(None, config)
        except NodeTimeoutError as error:
            print("second run:", short(error))
        delays["b"] = 0.0
        print("third run", await graph.ainvoke(None, config))
        print("runs", runs)


asyncio.run(main())
