"""AsyncSqliteSaver on a file: messages with ids, names and additional_kwargs come back as they
went in.
"""

import asyncio
from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages


class State(TypedDict):
    messages: Annotated[list, add_messages]
    turns: int


async def answer(state: State) -> dict:
    text = state["messages"][-1].content
    return {
        "messages": [
            AIMessage(
                content=text[::-1],
                name="mirror",
                additional_kwargs={"len": len(text)},
                id=f"a{state['turns']}",
            )
        ],
        "turns": state["turns"] + 1,
    }


builder = StateGraph(State)
builder.add_node("answer", answer)
builder.add_edge(START, "answer")


async def main() -> None:
    config = {"configurable": {"thread_id": "mirror"}}
    async with AsyncSqliteSaver.from_conn_string("mirror.db") as saver:
        graph = builder.compile(checkpointer=saver)
        await graph.ainvoke(
            {"messages": [HumanMessage(content="abc", id="u0")], "turns": 0}, config
        )
        await graph.ainvoke(
            {"messages": [{"role": "user", "content": "hello", "id": "u1"}]}, config
        )
    async with AsyncSqliteSaver.from_conn_string("mirror.db") as saver:
        graph = builder.compile(checkpointer=saver)
        state = await graph.aget_state(config)
        for m in state.values["messages"]:
            print(type(m).__name__, m.id, m.content, m.name, m.additional_kwargs)
        print(state.values["turns"])


asyncio.run(main())
