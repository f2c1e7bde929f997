"""Review a tool call: the human edits the arguments before the tool runs."""

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import Command, interrupt


def agent(state: MessagesState) -> dict:
    call = {"name": "search", "args": {"query": "wether in paris"}, "id": "call_1"}
    return {"messages": [AIMessage(content="", tool_calls=[call], id="ai_1")]}


def review(state: MessagesState) -> dict:
    last = state["messages"][-1]
    edited = interrupt({"tool_call": last.tool_calls[0]})
    fixed = AIMessage(content="", tool_calls=[edited], id=last.id)
    return {"messages": [fixed]}


def tools(state: MessagesState) -> dict:
    call = state["messages"][-1].tool_calls[0]
    result = f"results for {call['args']['query']}"
    return {"messages": [ToolMessage(content=result, tool_call_id=call["id"])]}


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_node("review", review)
builder.add_node("tools", tools)
builder.add_edge(START, "agent")
builder.add_edge("agent", "review")
builder.add_edge("review", "tools")
builder.add_edge("tools", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "tool"}}
result = graph.invoke({"messages": [HumanMessage(content="weather?", id="h")]}, config)
proposed = result["__interrupt__"][0].value["tool_call"]
print("proposed", proposed["name"], proposed["args"])
edited = {**proposed, "args": {"query": "weather in paris"}}
result = graph.invoke(Command(resume=edited), config)
for message in result["messages"]:
    print(message.type, message.id, repr(message.content), getattr(message, "tool_calls", None))
