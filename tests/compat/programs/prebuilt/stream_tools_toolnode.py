"""stream_mode="tools" on a ToolNode: start, partial output, end or error, per tool call."""

from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, ToolRuntime


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def write_report(topic: str, runtime: ToolRuntime) -> str:
    """Write a report piece by piece."""
    for part in ("intro", "body"):
        runtime.emit_output_delta(f"{topic}: {part}")
    runtime.emit_output_delta({"done": 2})
    return f"report on {topic}"


@tool
def divide(a: int, b: int) -> float:
    """Divide a by b."""
    return a / b


# One call per step, so the order of the chunks is fixed.
SCRIPT = [
    {"name": "add", "args": {"a": 1, "b": 2}, "id": "call-add"},
    {"name": "write_report", "args": {"topic": "owls"}, "id": "call-report"},
    {"name": "divide", "args": {"a": 1, "b": 0}, "id": "call-divide"},
]


def model(state: MessagesState) -> dict:
    step = sum(isinstance(m, AIMessage) for m in state["messages"])
    if step >= len(SCRIPT):
        return {"messages": [AIMessage("all done", id=f"ai-{step}")]}
    return {"messages": [AIMessage("", id=f"ai-{step}", tool_calls=[SCRIPT[step]])]}


def route(state: MessagesState) -> str:
    return "tools" if state["messages"][-1].tool_calls else "__end__"


builder = StateGraph(MessagesState)
builder.add_node("model", model)
builder.add_node("tools", ToolNode([add, write_report, divide], handle_tool_errors=True))
builder.add_edge(START, "model")
builder.add_conditional_edges("model", route, ["tools", "__end__"])
builder.add_edge("tools", "model")
graph = builder.compile()


def show(data):
    data = dict(data)
    output = data.get("output")
    if hasattr(output, "content"):
        data["output"] = (type(output).__name__, output.content, output.tool_call_id, output.status)
    return data


print("-- tools alone")
for chunk in graph.stream({"messages": [("user", "go")]}, stream_mode="tools"):
    print(show(chunk))

print("-- tools with updates")
for mode, chunk in graph.stream({"messages": [("user", "go")]}, stream_mode=["updates", "tools"]):
    if mode == "tools":
        print(mode, show(chunk))
    else:
        for node, update in chunk.items():
            print(mode, node, [(type(m).__name__, m.content) for m in update["messages"]])

print("-- version v2")
for part in graph.stream({"messages": [("user", "go")]}, stream_mode="tools", version="v2"):
    print(part["type"], part["ns"], show(part["data"]))

print("-- other modes only: no tool chunks")
print([mode for mode, _ in graph.stream({"messages": [("user", "go")]}, stream_mode=["updates"])])
result = graph.invoke({"messages": [("user", "go")]})
print([m.content for m in result["messages"]])
