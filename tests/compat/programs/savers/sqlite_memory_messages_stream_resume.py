"""SqliteSaver(":memory:"): stream_mode="messages" with a fake chat model, before and after an
interrupt; the chat is stored.
"""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import Command, interrupt

replies = iter([AIMessage(content="hello there friend"), AIMessage(content="second answer")])
model = GenericFakeChatModel(messages=replies)


def chat(state: MessagesState) -> dict:
    return {"messages": [model.invoke(state["messages"])]}


def review(state: MessagesState) -> dict:
    verdict = interrupt("ok?")
    return {"messages": [HumanMessage(content=f"reviewed {verdict}")]}


builder = StateGraph(MessagesState)
builder.add_node("chat", chat)
builder.add_node("review", review)
builder.add_node("chat_again", chat)
builder.add_edge(START, "chat")
builder.add_edge("chat", "review")
builder.add_edge("review", "chat_again")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "tokens"}}
    inputs = {"messages": [HumanMessage(content="hi", id="h")]}
    for message, meta in graph.stream(inputs, config, stream_mode="messages"):
        print(type(message).__name__, repr(message.content), meta["langgraph_node"])
        print("  ", meta["langgraph_step"], meta.get("thread_id"), sorted(meta))
    for message, meta in graph.stream(Command(resume="yes"), config, stream_mode="messages"):
        print(
            type(message).__name__,
            repr(message.content),
            meta["langgraph_node"],
            meta["langgraph_step"],
        )
    print([(type(m).__name__, m.content) for m in graph.get_state(config).values["messages"]])
