"""AsyncPostgresSaver: a chat graph run with each durability, its messages read back by a
second saver.
"""

import asyncio
import os

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, MessagesState, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def think(state: MessagesState) -> dict:
    return {"messages": [AIMessage(content="thinking", id=f"t{len(state['messages'])}")]}


async def answer(state: MessagesState) -> dict:
    return {"messages": [AIMessage(content="done", id=f"a{len(state['messages'])}")]}


builder = StateGraph(MessagesState)
builder.add_node("think", think)
builder.add_node("answer", answer)
builder.add_edge(START, "think")
builder.add_edge("think", "answer")


async def main() -> None:
    modes = ("sync", "async", "exit")
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        for mode in modes:
            config = {"configurable": {"thread_id": mode}}
            message = HumanMessage(content=f"run with {mode}", id="h")
            await graph.ainvoke({"messages": [message]}, config, durability=mode)
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        graph = builder.compile(checkpointer=saver)
        for mode in modes:
            config = {"configurable": {"thread_id": mode}}
            state = await graph.aget_state(config)
            print(mode, [(type(m).__name__, m.id, m.content) for m in state.values["messages"]])
            history = [
                (s.metadata["step"], s.metadata["source"])
                async for s in graph.aget_state_history(config)
            ]
            print("  ", history)


asyncio.run(main())
