"""AsyncSqliteSaver(":memory:"): ainvoke to an interrupt, aget_state, resume with Command."""

import asyncio
from typing import TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    text: str
    edited: str


async def edit(state: State) -> dict:
    new_text = interrupt({"please_edit": state["text"]})
    return {"edited": new_text}


async def main() -> None:
    builder = StateGraph(State)
    builder.add_node("draft", lambda s: {"text": s["text"] + " v1"})
    builder.add_node("edit", edit)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "edit")
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "doc"}}
        result = await graph.ainvoke({"text": "memo", "edited": ""}, config)
        print([i.value for i in result["__interrupt__"]])
        state = await graph.aget_state(config)
        print(state.next, state.values, len(state.interrupts))
        print(await graph.ainvoke(Command(resume="memo v2"), config))
        async for snap in graph.aget_state_history(config):
            print(snap.metadata["step"], snap.metadata["source"], snap.next)


asyncio.run(main())
