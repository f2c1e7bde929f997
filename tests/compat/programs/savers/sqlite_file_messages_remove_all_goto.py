"""SqliteSaver on a file: Command(goto=) routing, a breakpoint before a node that clears the chat
with REMOVE_ALL_MESSAGES.
"""

from typing import Literal

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.types import Command


def bot(state: MessagesState) -> dict:
    return {"messages": [AIMessage(content=f"n={len(state['messages'])}")]}


def reset(state: MessagesState) -> dict:
    return {
        "messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), HumanMessage(content="fresh start")]
    }


def router(state: MessagesState) -> Command[Literal["bot", "reset"]]:
    return Command(goto="reset" if len(state["messages"]) > 3 else "bot")


def build():
    builder = StateGraph(MessagesState)
    builder.add_node("router", router)
    builder.add_node("bot", bot)
    builder.add_node("reset", reset)
    builder.add_edge(START, "router")
    return builder


config = {"configurable": {"thread_id": "chat"}}
with SqliteSaver.from_conn_string("chat.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["reset"])
    for i in range(3):
        result = graph.invoke({"messages": [HumanMessage(content=f"hi {i}")]}, config)
        print([m.content for m in result["messages"]], graph.get_state(config).next)

with SqliteSaver.from_conn_string("chat.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["reset"])
    result = graph.invoke(None, config)
    print([(type(m).__name__, m.content) for m in result["messages"]])
    print(
        [
            (s.metadata["step"], s.next, len(s.values.get("messages", [])))
            for s in graph.get_state_history(config, limit=4)
        ]
    )
