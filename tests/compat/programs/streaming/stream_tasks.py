"""stream_mode='tasks': a start event and a result event for each task."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    word: str


builder = StateGraph(State)
builder.add_node("reverse", lambda s: {"word": s["word"][::-1]})
builder.add_node("upper", lambda s: {"word": s["word"].upper()})
builder.add_edge(START, "reverse")
builder.add_edge("reverse", "upper")
graph = builder.compile()

for event in graph.stream({"word": "stressed"}, stream_mode="tasks"):
    if "input" in event:
        print("start", event["name"], event["input"], event["triggers"], sorted(event))
    else:
        print("result", event["name"], event["result"], event["error"], sorted(event))
