"""SqliteSaver(":memory:"): add_messages with langchain-core messages, stored and read back."""

from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, ToolMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages


class State(TypedDict):
    messages: Annotated[list, add_messages]


def bot(state: State) -> dict:
    last = state["messages"][-1]
    return {
        "messages": [AIMessage(content=f"echo: {last.content}", id=f"ai-{len(state['messages'])}")]
    }


builder = StateGraph(State)
builder.add_node("bot", bot)
builder.add_edge(START, "bot")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "chat"}}
    graph.invoke({"messages": [HumanMessage(content="hi", id="h1")]}, config)
    graph.invoke({"messages": [("user", "how are you?")]}, config)
    for m in graph.get_state(config).values["messages"]:
        print(type(m).__name__, m.type, repr(m.content))
    graph.update_state(config, {"messages": [RemoveMessage(id="h1")]})
    graph.update_state(
        config,
        {"messages": [ToolMessage(content="42", tool_call_id="call-1", id="t1")]},
        as_node="bot",
    )
    values = graph.get_state(config).values
    print([(type(m).__name__, m.content) for m in values["messages"]])
    tool = values["messages"][-1]
    print(tool.tool_call_id, tool.id)
    graph.update_state(config, {"messages": [AIMessage(content="edited", id="ai-1")]})
    print([m.content for m in graph.get_state(config).values["messages"]])
    print(len(list(graph.get_state_history(config))), "checkpoints")
