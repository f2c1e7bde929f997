"""AsyncPostgresSaver: astream(values) to an interrupt, aupdate_state(as_node=) on the waiting
thread, resume, adelete_thread.
"""

import asyncio
import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    log: Annotated[list[str], operator.add]


async def ask(s):
    return {"log": [interrupt("q")]}


b = StateGraph(State)
b.add_node("a", lambda s: {"log": ["a"]})
b.add_node("ask", ask)
b.add_node("z", lambda s: {"log": ["z"]})
b.add_edge(START, "a")
b.add_edge("a", "ask")
b.add_edge("ask", "z")


async def main():
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        g = b.compile(checkpointer=saver)
        c = {"configurable": {"thread_id": "1"}}
        async for ch in g.astream({"log": []}, c, stream_mode="values"):
            print(ch)
        await g.aupdate_state(c, {"log": ["edited"]}, as_node="a")
        s = await g.aget_state(c)
        print(s.next, s.values, [i.value for i in s.interrupts])
        async for ch in g.astream(Command(resume="r"), c, stream_mode="updates"):
            print(ch)
        print(
            [
                (x.metadata["step"], x.metadata["source"], x.next)
                async for x in g.aget_state_history(c)
            ]
        )
        await saver.adelete_thread("1")
        print((await g.aget_state(c)).values)


asyncio.run(main())
