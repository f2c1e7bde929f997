"""Tools returning Command: update other state keys, and Command(goto=...) with a ToolMessage."""

from typing import Annotated

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Command


class State(MessagesState):
    user_name: str
    verified: bool


@tool
def remember_name(name: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Remember the user's name."""
    return Command(
        update={
            "user_name": name,
            "messages": [ToolMessage(f"Saved name {name}", tool_call_id=tool_call_id)],
        }
    )


@tool
def verify(tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Verify the user and hand over to the reviewer."""
    return Command(
        update={"verified": True, "messages": [ToolMessage("verified", tool_call_id=tool_call_id)]},
        goto="reviewer",
    )


@tool
def echo(text: str) -> str:
    """Echo text."""
    return text


turns = {"n": 0}


def agent(state: State):
    turns["n"] += 1
    if turns["n"] == 1:
        return {
            "messages": [
                AIMessage(
                    "",
                    id="ai1",
                    tool_calls=[
                        {"name": "remember_name", "args": {"name": "Ada"}, "id": "c1"},
                        {"name": "echo", "args": {"text": "hi"}, "id": "c2"},
                    ],
                )
            ]
        }
    if turns["n"] == 2:
        return {
            "messages": [
                AIMessage("", id="ai2", tool_calls=[{"name": "verify", "args": {}, "id": "c3"}])
            ]
        }
    return {"messages": [AIMessage("done", id="ai3")]}


def reviewer(state: State):
    return {
        "messages": [
            AIMessage(f"reviewed {state['user_name']} verified={state['verified']}", id="r1")
        ]
    }


builder = StateGraph(State)
builder.add_node("agent", agent)
builder.add_node("tools", ToolNode([remember_name, verify, echo]))
builder.add_node("reviewer", reviewer)
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", tools_condition)
builder.add_edge("tools", "agent")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "cmd"}}
chunks = list(graph.stream({"messages": [HumanMessage("I am Ada", id="h1")]}, config))
# "agent" and "reviewer" run in the same step: their chunks come in either order.
for chunk in chunks[:4] + sorted(chunks[4:], key=str):
    print(chunk)
state = graph.get_state(config)
print(
    state.values["user_name"],
    state.values["verified"],
    [m.content for m in state.values["messages"]],
)
print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
for snapshot in graph.get_state_history(config):
    # The step where two tools wrote "messages": both writes are listed.
    if snapshot.next == ("tools",) and "user_name" in (snapshot.tasks[0].result or {}):
        result = snapshot.tasks[0].result
        # Only the contents: whether LangGraph's saved writes carry message ids depends on timing.
        writes = [[m.content for m in write] for write in result["messages"]["$writes"]]
        print("task result", result["user_name"], writes)
