"""Review a model's tool call before it runs: approve, edit the arguments, or answer with feedback."""

from typing import Literal

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import Command, interrupt


def model(state: MessagesState) -> dict:
    last = state["messages"][-1]
    if isinstance(last, ToolMessage):
        return {"messages": [AIMessage(content=f"done: {last.content}")]}
    call = {"name": "weather", "args": {"city": "paris"}, "id": "call-1", "type": "tool_call"}
    return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-1")]}


def review(state: MessagesState) -> Command[Literal["run_tool", "model"]]:
    call = state["messages"][-1].tool_calls[0]
    decision = interrupt({"question": "run this tool?", "tool_call": call})
    if decision["action"] == "approve":
        return Command(goto="run_tool")
    if decision["action"] == "edit":
        edited = AIMessage(content="", tool_calls=[{**call, "args": decision["args"]}], id="ai-1")
        return Command(goto="run_tool", update={"messages": [edited]})
    feedback = ToolMessage(content=decision["feedback"], name=call["name"], tool_call_id=call["id"])
    return Command(goto="model", update={"messages": [feedback]})


def run_tool(state: MessagesState) -> dict:
    call = state["messages"][-1].tool_calls[0]
    return {
        "messages": [
            ToolMessage(content=f"sunny in {call['args']['city']}", tool_call_id=call["id"])
        ]
    }


def route(state: MessagesState) -> str:
    return "review" if state["messages"][-1].tool_calls else END


builder = StateGraph(MessagesState)
builder.add_node("model", model)
builder.add_node("review", review)
builder.add_node("run_tool", run_tool)
builder.add_edge(START, "model")
builder.add_conditional_edges("model", route, ["review", END])
builder.add_edge("run_tool", "model")
graph = builder.compile(checkpointer=InMemorySaver())

decisions = {
    "approve": {"action": "approve"},
    "edit": {"action": "edit", "args": {"city": "rome"}},
    "feedback": {"action": "feedback", "feedback": "use celsius and try again later"},
}
for name, decision in decisions.items():
    config = {"configurable": {"thread_id": name}}
    first = graph.invoke({"messages": [HumanMessage(content="weather?")]}, config)
    print(name, first["__interrupt__"][0].value["tool_call"]["args"], graph.get_state(config).next)
    for chunk in graph.stream(Command(resume=decision), config, stream_mode="updates"):
        for node, update in chunk.items():
            if node == "__interrupt__":
                print("  interrupt", update[0].value["tool_call"]["args"])
            else:
                print(
                    "  ",
                    node,
                    [
                        (type(m).__name__, m.content, getattr(m, "tool_calls", None))
                        for m in (update or {}).get("messages", [])
                    ],
                )
    print(
        "  messages", len(graph.get_state(config).values["messages"]), graph.get_state(config).next
    )
