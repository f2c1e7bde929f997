"""The streaming page's pattern: astream_events, keep on_chat_model_stream, print tokens by node."""

import asyncio

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph

writer_model = GenericFakeChatModel(
    messages=iter([AIMessage(content="Cats nap often"), AIMessage(content="Dogs fetch sticks")])
)


async def draft(state: MessagesState) -> dict:
    reply = await writer_model.ainvoke(state["messages"])
    return {"messages": [reply]}


async def polish(state: MessagesState) -> dict:
    reply = await writer_model.ainvoke(state["messages"])
    return {"messages": [reply]}


builder = StateGraph(MessagesState)
builder.add_node("draft", draft)
builder.add_node("polish", polish)
builder.add_edge(START, "draft")
builder.add_edge("draft", "polish")
graph = builder.compile(checkpointer=InMemorySaver())


async def main():
    config = {"configurable": {"thread_id": "tokens"}}
    async for event in graph.astream_events(
        {"messages": [("user", "write")]}, config, version="v2"
    ):
        kind = event["event"]
        if kind == "on_chat_model_stream":
            chunk = event["data"]["chunk"]
            print(event["metadata"]["langgraph_node"], repr(chunk.content), event["tags"])
        elif kind in ("on_chat_model_start", "on_chat_model_end"):
            print(kind, event["name"], event["metadata"]["langgraph_step"])
        elif kind == "on_chain_end" and event["name"] == "LangGraph":
            print("final:", [m.content for m in event["data"]["output"]["messages"]])
    state = await graph.aget_state(config)
    print(len(state.values["messages"]), state.next)


asyncio.run(main())
