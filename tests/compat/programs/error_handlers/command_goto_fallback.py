"""A handler that returns Command(goto=...) routes the run to a fallback node."""

import operator
from typing import Annotated, Literal

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from typing_extensions import TypedDict


class State(TypedDict):
    order_id: str
    steps: Annotated[list[str], operator.add]


def charge_card(state: State) -> dict:
    raise RuntimeError(f"card declined for {state['order_id']}")


def to_manual_review(state: State, error: NodeError) -> Command[Literal["manual_review"]]:
    return Command(update={"steps": [f"charge failed: {error.error}"]}, goto="manual_review")


def manual_review(state: State) -> dict:
    return {"steps": ["queued for manual review"]}


def ship(state: State) -> dict:
    return {"steps": ["shipped"]}


builder = StateGraph(State)
builder.add_node("charge_card", charge_card, error_handler=to_manual_review)
builder.add_node("manual_review", manual_review)
builder.add_node("ship", ship)
builder.add_edge(START, "charge_card")
builder.add_edge("charge_card", "ship")
builder.add_edge("manual_review", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "order-7"}}
for mode, chunk in graph.stream(
    {"order_id": "A-7", "steps": []}, config, stream_mode=["updates", "values"]
):
    print(mode, chunk)
print(graph.get_state(config).values)
print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
