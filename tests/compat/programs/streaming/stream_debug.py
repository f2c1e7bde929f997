"""stream_mode='debug': checkpoint, task and task_result events with their steps."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    text: str


builder = StateGraph(State)
builder.add_node("upper", lambda s: {"text": s["text"].upper()})
builder.add_node("exclaim", lambda s: {"text": s["text"] + "!"})
builder.add_edge(START, "upper")
builder.add_edge("upper", "exclaim")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "d"}}
for event in graph.stream({"text": "hey"}, config, stream_mode="debug"):
    payload = event["payload"]
    print(event["type"], event["step"], sorted(event))
    if event["type"] == "checkpoint":
        print("   ", payload["values"], payload["next"], payload["metadata"]["source"])
    elif event["type"] == "task":
        print("   ", payload["name"], payload["input"], payload["triggers"])
    else:
        print("   ", payload["name"], payload["result"], payload["error"])
