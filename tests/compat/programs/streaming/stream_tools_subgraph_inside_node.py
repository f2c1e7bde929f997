"""A node runs a tool-calling subgraph and streams its tool events itself (stream_mode="tools")."""

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode


@tool
def lookup(city: str) -> str:
    """Look up the weather of a city."""
    return f"sunny in {city}"


def plan(state: MessagesState) -> dict:
    call = {"name": "lookup", "args": {"city": "Oslo"}, "id": "call-1"}
    return {"messages": [AIMessage(content="", tool_calls=[call])]}


worker_graph = StateGraph(MessagesState)
worker_graph.add_node("plan", plan)
worker_graph.add_node("tools", ToolNode([lookup]))
worker_graph.add_edge(START, "plan")
worker_graph.add_edge("plan", "tools")
worker = worker_graph.compile()


def manager(state: MessagesState) -> dict:
    heard = [
        (event["event"], event.get("tool_name"), event["tool_call_id"])
        for event in worker.stream(state, stream_mode="tools")
    ]
    return {"messages": [AIMessage(content=f"done: {heard}")]}


builder = StateGraph(MessagesState)
builder.add_node("manager", manager)
builder.add_edge(START, "manager")
graph = builder.compile()

inputs = {"messages": [HumanMessage(content="weather?")]}
print([m.content for m in graph.invoke(inputs)["messages"]])
for namespace, event in graph.stream(inputs, stream_mode="tools", subgraphs=True):
    print("outer", [p.split(":")[0] for p in namespace], event["event"], event["tool_call_id"])
for mode, chunk in graph.stream(inputs, stream_mode=["tools", "updates"]):
    print(mode, chunk if mode == "tools" else chunk["manager"]["messages"][0].content)
