"""push_message: a node sends messages to the messages stream (and state) before it returns."""

import uuid

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import push_message


def research(state: MessagesState) -> dict:
    push_message(AIMessage("Searching the archive...", id="status-1"))
    push_message({"role": "ai", "content": "Found 3 documents", "id": "status-2"})
    return {"messages": [AIMessage("The answer is 42.", id="answer")]}


def log_only(state: MessagesState) -> dict:
    sent = push_message(AIMessage("(logged, not kept)", id=str(uuid.uuid4())), state_key=None)
    print("sent a", type(sent).__name__)
    return {}


builder = StateGraph(MessagesState)
builder.add_node("research", research)
builder.add_node("log_only", log_only)
builder.add_edge(START, "research")
builder.add_edge("research", "log_only")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
inputs = {"messages": [HumanMessage("what is the answer?", id="q")]}
for mode, chunk in graph.stream(inputs, config, stream_mode=["messages", "updates"]):
    if mode == "messages":
        message, metadata = chunk
        print("message", metadata["langgraph_node"], repr(message.content))
    else:
        for node, update in chunk.items():
            print("update", node, update)
print([m.content for m in graph.get_state(config).values["messages"]])
