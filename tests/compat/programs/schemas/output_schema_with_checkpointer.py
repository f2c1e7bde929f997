"""output_schema with a checkpointer: invoke returns the output keys, get_state has all keys."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class In(TypedDict):
    text: str


class Out(TypedDict):
    words: int


class Everything(In, Out):
    tokens: list[str]


def split(state: In) -> dict:
    return {"tokens": state["text"].split()}


def count(state: Everything) -> dict:
    return {"words": len(state["tokens"])}


builder = StateGraph(Everything, input_schema=In, output_schema=Out)
builder.add_node("split", split)
builder.add_node("count", count)
builder.add_edge(START, "split")
builder.add_edge("split", "count")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver, interrupt_before=["count"])
    config = {"configurable": {"thread_id": "o"}}
    print(graph.invoke({"text": "a b c"}, config))
    print(graph.get_state(config).values)
    print(graph.invoke(None, config))
    print(graph.get_state(config).values)
    for chunk in graph.stream({"text": "x y"}, config, stream_mode=["values", "updates"]):
        print(chunk)
