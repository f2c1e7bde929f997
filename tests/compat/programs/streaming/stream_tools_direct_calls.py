"""stream_mode="tools" for tools a node or a @task calls itself, with and without a tool call."""

from langchain_core.tools import tool
from langgraph.func import entrypoint, task
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    total: int


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


@tool
def fail(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"cannot: {reason}")


def compute(state: State) -> dict:
    total = add.invoke({"a": state["total"], "b": 1})
    call = {"name": "add", "args": {"a": total, "b": 10}, "id": "my-call", "type": "tool_call"}
    message = add.invoke(call)
    shout.invoke("quiet")  # a string input: the chunk has no "input"
    add.invoke({"a": 0, "b": 0}, {"tags": ["nostream"]})  # opted out
    try:
        fail.invoke({"reason": "no luck"})
    except RuntimeError as error:
        print("node caught:", error)
    return {"total": int(message.content)}


builder = StateGraph(State)
builder.add_node("compute", compute)
builder.add_edge(START, "compute")
graph = builder.compile()


def show(mode_chunk):
    mode, chunk = mode_chunk
    if mode != "tools":
        return mode, chunk
    chunk = dict(chunk)
    if hasattr(chunk.get("output"), "content"):
        chunk["output"] = ("message", chunk["output"].content, chunk["output"].tool_call_id)
    return mode, chunk


chunks = list(graph.stream({"total": 1}, stream_mode=["tools", "values"]))
for chunk in chunks:
    print(*show(chunk))
ids = [c["tool_call_id"] for m, c in chunks if m == "tools"]
print("calls:", len(set(ids)), "started and ended with one id:", ids[0] == ids[1])


@task
def double(x: int) -> int:
    return add.invoke({"a": x, "b": x})


@entrypoint()
def workflow(x: int) -> int:
    y = add.invoke({"a": x, "b": 1})
    return double(y).result()


for mode, chunk in workflow.stream(3, stream_mode=["tools", "updates"]):
    print(mode, {k: v for k, v in chunk.items() if k != "tool_call_id"})
for namespace, mode, chunk in workflow.stream(3, stream_mode=["tools"], subgraphs=True):
    print(namespace, mode, chunk["event"], chunk.get("output"))
