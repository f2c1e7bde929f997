"""A pre-step node keeps only the last N turns in state (RemoveMessage), async with AsyncSqliteSaver."""

import asyncio

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, MessagesState, StateGraph

KEEP = 3


async def prune(state: MessagesState) -> dict:
    extra = state["messages"][:-KEEP]
    return {"messages": [RemoveMessage(id=m.id) for m in extra]} if extra else {}


async def answer(state: MessagesState) -> dict:
    return {"messages": [AIMessage(content="/".join(m.content for m in state["messages"]))]}


builder = StateGraph(MessagesState)
builder.add_node("prune", prune)
builder.add_node("answer", answer)
builder.add_edge(START, "prune")
builder.add_edge("prune", "answer")


async def main():
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        for word in "abcde":
            result = await graph.ainvoke({"messages": [HumanMessage(content=word)]}, config)
            print(result["messages"][-1].content, len(result["messages"]))
        async for chunk in graph.astream(
            {"messages": [HumanMessage(content="f")]}, config, stream_mode="updates"
        ):
            print(
                {
                    k: [type(m).__name__ for m in (v or {}).get("messages", [])]
                    for k, v in chunk.items()
                }
            )
        history = [s async for s in graph.aget_state_history(config, limit=3)]
        print([(s.metadata["step"], len(s.values["messages"]), s.next) for s in history])


asyncio.run(main())
