"""Approve-or-reject: the interrupt's answer picks the next node via Command(goto=...)."""

from typing import Literal, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    action: str
    status: str


def propose(state: State) -> dict:
    return {"action": f"delete {state['action']}"}


def human_approval(state: State) -> Command[Literal["run", "cancel"]]:
    approved = interrupt({"question": "Approve this action?", "action": state["action"]})
    return Command(goto="run" if approved else "cancel")


builder = StateGraph(State)
builder.add_node("propose", propose)
builder.add_node("human_approval", human_approval)
builder.add_node("run", lambda s: {"status": "done: " + s["action"]})
builder.add_node("cancel", lambda s: {"status": "cancelled"})
builder.add_edge(START, "propose")
builder.add_edge("propose", "human_approval")
builder.add_edge("run", END)
builder.add_edge("cancel", END)
graph = builder.compile(checkpointer=InMemorySaver())

for thread, answer in (("yes", True), ("no", False)):
    config = {"configurable": {"thread_id": thread}}
    result = graph.invoke({"action": "old logs", "status": ""}, config)
    print(result["__interrupt__"][0].value)
    print(graph.invoke(Command(resume=answer), config))
    print([s.next for s in graph.get_state_history(config)])
