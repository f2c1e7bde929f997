"""Command(resume=..., update=...) answers the interrupt and writes state at once."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    amount: int
    reviewer: str
    decision: str


def review(state: State) -> dict:
    decision = interrupt(f"approve {state['amount']}?")
    return {"decision": f"{decision} by {state['reviewer']}"}


builder = StateGraph(State)
builder.add_node("review", review)
builder.add_edge(START, "review")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "r"}}
result = graph.invoke({"amount": 40, "reviewer": "nobody", "decision": ""}, config)
print(result["__interrupt__"][0].value)
result = graph.invoke(Command(resume="approved", update={"reviewer": "kim"}), config)
print(result)
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next, s.values)
