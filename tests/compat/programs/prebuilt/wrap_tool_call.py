"""ToolNode(wrap_tool_call=...): an interceptor that retries, rewrites arguments, or answers."""

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode


@tool
def divide(a: int, b: int) -> float:
    """Divide a by b."""
    return a / b


@tool
def add(a: int, b: int) -> int:
    """Add."""
    return a + b


seen = []


def interceptor(request, execute):
    call = request.tool_call
    seen.append((call["name"], request.tool is not None, sorted(request.state)))
    if call["name"] == "forbidden":
        return ToolMessage("blocked by policy", tool_call_id=call["id"])
    if call["name"] == "boom":
        raise RuntimeError("interceptor failed")
    answer = execute(request)
    if answer.status == "error" and call["name"] == "divide":
        fixed = {**call, "args": {**call["args"], "b": 1}}
        return execute(request.override(tool_call=fixed))
    return answer


for handler in (True, False):
    builder = StateGraph(MessagesState)
    builder.add_node(
        "tools", ToolNode([divide, add], handle_tool_errors=handler, wrap_tool_call=interceptor)
    )
    builder.add_edge(START, "tools")
    graph = builder.compile()
    calls = [
        {"name": "divide", "args": {"a": 6, "b": 0}, "id": "c1"},
        {"name": "add", "args": {"a": 1, "b": 2}, "id": "c2"},
        {"name": "forbidden", "args": {}, "id": "c3"},
        {"name": "boom", "args": {}, "id": "c4"},
    ]
    try:
        result = graph.invoke({"messages": [AIMessage("", id="ai", tool_calls=calls)]})
    except Exception as error:  # noqa: BLE001 - the program shows what escapes
        print(handler, "raised", type(error).__name__, error)
        continue
    for message in result["messages"][1:]:
        print(handler, message.tool_call_id, message.status, repr(message.content))
    if handler:
        print(sorted(seen))
