"""SqliteSaver(":memory:"): stream_mode="debug" shows checkpoints, tasks and results."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    text: str


builder = StateGraph(State)
builder.add_node("upper", lambda s: {"text": s["text"].upper()})
builder.add_node("exclaim", lambda s: {"text": s["text"] + "!"})
builder.add_edge(START, "upper")
builder.add_edge("upper", "exclaim")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "dbg"}}
    for event in graph.stream({"text": "hi"}, config, stream_mode="debug"):
        payload = event["payload"]
        if event["type"] == "checkpoint":
            print(
                event["step"],
                "checkpoint",
                payload["values"],
                payload["next"],
                payload["metadata"]["source"],
            )
        elif event["type"] == "task":
            print(event["step"], "task", payload["name"], payload["input"], payload["triggers"])
        else:
            print(
                event["step"], event["type"], payload["name"], payload["result"], payload["error"]
            )
