"""Delete the oldest messages with RemoveMessage(id=...) from a node; history keeps the old."""

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph


def respond(state: MessagesState) -> dict:
    return {
        "messages": [
            AIMessage(content=f"seen {len(state['messages'])}", id=f"ai-{len(state['messages'])}")
        ]
    }


def forget(state: MessagesState) -> dict:
    messages = state["messages"]
    if len(messages) <= 4:
        return {}
    return {"messages": [RemoveMessage(id=m.id) for m in messages[:2]]}


builder = StateGraph(MessagesState)
builder.add_node("respond", respond)
builder.add_node("forget", forget)
builder.add_edge(START, "respond")
builder.add_edge("respond", "forget")
builder.add_edge("forget", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "forget"}}
for i in range(4):
    result = graph.invoke({"messages": [HumanMessage(content=f"msg {i}", id=f"h-{i}")]}, config)
    print([(m.id, m.content) for m in result["messages"]])
for chunk in graph.stream({"messages": [HumanMessage(content="last", id="h-last")]}, config):
    for node, update in chunk.items():
        print(node, [(type(m).__name__, m.id) for m in (update or {}).get("messages", [])])
print([len(s.values["messages"]) for s in graph.get_state_history(config)])
