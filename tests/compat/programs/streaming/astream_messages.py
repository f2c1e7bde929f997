"""astream with stream_mode='messages' over an async node calling a fake model."""

import asyncio

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph

model = GenericFakeChatModel(messages=iter([AIMessage(content="one two three")]))


async def respond(state: MessagesState) -> dict:
    return {"messages": [await model.ainvoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("respond", respond)
builder.add_edge(START, "respond")
graph = builder.compile()


async def main() -> None:
    inputs = {"messages": [HumanMessage(content="count")]}
    async for chunk, metadata in graph.astream(inputs, stream_mode="messages"):
        print((chunk.content, metadata["langgraph_node"]))


asyncio.run(main())
