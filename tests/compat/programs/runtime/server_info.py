"""Runtime.server_info and ToolRuntime.server_info: None, or built from the config's ids."""

from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, ToolRuntime
from langgraph.runtime import Runtime


class User:
    identity = "ada"

    def __repr__(self):
        return "User(ada)"


@tool
def where(runtime: ToolRuntime) -> str:
    """Which server runs this tool."""
    runtime.emit_output_delta("not streamed: the run does not stream tools")
    info = runtime.server_info
    return "none" if info is None else f"{info.assistant_id}/{info.graph_id}"


def model(state: MessagesState, runtime: Runtime) -> dict:
    print("node sees:", runtime.server_info)
    if len(state["messages"]) > 1:
        return {}
    call = {"name": "where", "args": {}, "id": "call-1"}
    return {"messages": [AIMessage("", id="ai-1", tool_calls=[call])]}


def sub_node(state: MessagesState, runtime: Runtime) -> dict:
    print("subgraph node sees:", runtime.server_info)
    return {}


sub = StateGraph(MessagesState)
sub.add_node("sub_node", sub_node)
sub.add_edge(START, "sub_node")

builder = StateGraph(MessagesState)
builder.add_node("model", model)
builder.add_node("tools", ToolNode([where]))
builder.add_node("child", sub.compile())
builder.add_edge(START, "model")
builder.add_edge("model", "tools")
builder.add_edge("tools", "child")
graph = builder.compile()

result = graph.invoke({"messages": [("user", "hi")]})
print("tool said:", result["messages"][-1].content)

config = {"configurable": {"assistant_id": "asst-1", "graph_id": "agent"}}
result = graph.invoke({"messages": [("user", "hi")]}, config)
print("tool said:", result["messages"][-1].content)

config = {"configurable": {"graph_id": "agent", "langgraph_auth_user": User()}}
result = graph.invoke({"messages": [("user", "hi")]}, config)
print("tool said:", result["messages"][-1].content)

config = {"configurable": {"langgraph_auth_user": {"identity": "no attribute"}}}
result = graph.invoke({"messages": [("user", "hi")]}, config)
print("tool said:", result["messages"][-1].content)
