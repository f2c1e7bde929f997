"""SqliteSaver on a file: a MessagesState chat with tool calls survives closing the saver."""

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, MessagesState, StateGraph


def agent(state: MessagesState) -> dict:
    last = state["messages"][-1]
    if isinstance(last, HumanMessage):
        call = {"name": "lookup", "args": {"q": last.content}, "id": "call-1", "type": "tool_call"}
        return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-call")]}
    return {"messages": [AIMessage(content=f"answer from {last.content}", id="ai-final")]}


def tools(state: MessagesState) -> dict:
    call = state["messages"][-1].tool_calls[0]
    return {
        "messages": [
            ToolMessage(content=f"found {call['args']['q']}", tool_call_id=call["id"], id="tool-1")
        ]
    }


def route(state: MessagesState) -> str:
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


def build():
    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", tools)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", route, ["tools", "__end__"])
    builder.add_edge("tools", "agent")
    return builder


config = {"configurable": {"thread_id": "agent-1"}}
with SqliteSaver.from_conn_string("chat.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["tools"])
    graph.invoke({"messages": [HumanMessage(content="weather", id="h1")]}, config)
    print(graph.get_state(config).next)

with SqliteSaver.from_conn_string("chat.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["tools"])
    messages = graph.get_state(config).values["messages"]
    print([(type(m).__name__, m.id) for m in messages])
    print(messages[-1].tool_calls)
    result = graph.invoke(None, config)
    for m in result["messages"]:
        print(type(m).__name__, repr(m.content), getattr(m, "tool_call_id", None))
