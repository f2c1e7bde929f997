"""A MessagesState subclass with an extra key; a hand-made AI reply."""

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph


class State(MessagesState):
    summary: str


def chatbot(state: State) -> dict:
    text = state["messages"][-1].content
    return {"messages": [AIMessage(content=f"You said {text!r}")]}


def summarize(state: State) -> dict:
    return {"summary": f"{len(state['messages'])} messages so far"}


builder = StateGraph(State)
builder.add_node("chatbot", chatbot)
builder.add_node("summarize", summarize)
builder.add_edge(START, "chatbot")
builder.add_edge("chatbot", "summarize")
builder.add_edge("summarize", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "chat"}}
for text in ("hello", "tell me more"):
    result = graph.invoke({"messages": [HumanMessage(content=text)]}, config)
    print(result["summary"])
    for message in result["messages"]:
        print(" ", message.type, message.content)
print([m.type for m in graph.get_state(config).values["messages"]])
