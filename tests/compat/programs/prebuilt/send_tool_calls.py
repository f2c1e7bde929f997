"""Tool calls sent one by one with Send: InjectedState reads the graph's state."""

from typing import Annotated

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import InjectedState, ToolNode
from langgraph.types import Send


class State(MessagesState):
    user: str


@tool
def greet(greeting: str, user: Annotated[str, InjectedState("user")]) -> str:
    """Greet the user."""
    return f"{greeting}, {user}"


def agent(state: State):
    return {
        "messages": [
            AIMessage(
                "",
                id="ai",
                tool_calls=[
                    {"name": "greet", "args": {"greeting": "hi"}, "id": "c1"},
                    {"name": "greet", "args": {"greeting": "hello"}, "id": "c2"},
                ],
            )
        ]
    }


def fan_out(state: State):
    return [
        Send("tools", [{**call, "type": "tool_call"}]) for call in state["messages"][-1].tool_calls
    ]


builder = StateGraph(State)
builder.add_node("agent", agent)
builder.add_node("tools", ToolNode([greet]))
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", fan_out, ["tools"])
result = builder.compile().invoke({"messages": [HumanMessage("hey", id="h")], "user": "Ada"})
print(sorted(m.content for m in result["messages"][2:]))
