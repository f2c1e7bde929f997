"""PostgresSaver: a chat thread of langchain-core messages restored by a new saver, then trimmed."""

import os

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, SystemMessage
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, MessagesState, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def reply(state: MessagesState) -> dict:
    n = sum(1 for m in state["messages"] if isinstance(m, HumanMessage))
    return {
        "messages": [AIMessage(content=f"reply {n}", id=f"ai{n}", response_metadata={"turn": n})]
    }


def trim(state: MessagesState) -> dict:
    if len(state["messages"]) > 4:
        return {"messages": [RemoveMessage(id=m.id) for m in state["messages"][1:3]]}
    return {}


builder = StateGraph(MessagesState)
builder.add_node("reply", reply)
builder.add_node("trim", trim)
builder.add_edge(START, "reply")
builder.add_edge("reply", "trim")
config = {"configurable": {"thread_id": "chat"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    graph.invoke(
        {
            "messages": [
                SystemMessage(content="be brief", id="sys"),
                HumanMessage(content="one", id="u1"),
            ]
        },
        config,
    )
    graph.invoke({"messages": [HumanMessage(content="two", id="u2")]}, config)

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = builder.compile(checkpointer=saver)
    for m in graph.get_state(config).values["messages"]:
        print(type(m).__name__, m.id, repr(m.content), m.response_metadata)
    graph.invoke({"messages": [HumanMessage(content="three", id="u3")]}, config)
    print([m.id for m in graph.get_state(config).values["messages"]])
