"""AsyncPostgresSaver: astream(stream_mode="messages") from a fake chat model over two turns of
one thread.
"""

import asyncio
import os

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, MessagesState, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
model = GenericFakeChatModel(
    messages=iter([AIMessage(content="one two"), AIMessage(content="three")])
)


async def chat(state: MessagesState) -> dict:
    return {"messages": [await model.ainvoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("chat", chat)
builder.add_edge(START, "chat")


async def main() -> None:
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "talk"}}
        for turn in ("hi", "more"):
            inputs = {"messages": [HumanMessage(content=turn)]}
            async for message, meta in graph.astream(inputs, config, stream_mode="messages"):
                print(turn, repr(message.content), meta["langgraph_node"], meta["langgraph_step"])
        state = await graph.aget_state(config)
        print([(type(m).__name__, m.content) for m in state.values["messages"]])


asyncio.run(main())
