"""SqliteSaver(":memory:"): a pydantic state model with a nested model, saved and loaded back."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel, Field


class Address(BaseModel):
    city: str
    zip: str = ""


class Customer(BaseModel):
    name: str
    address: Address | None = None
    tags: list[str] = Field(default_factory=list)
    score: float = 0.0


def enrich(state: Customer) -> dict:
    return {"address": Address(city="Lyon", zip="69001"), "tags": [*state.tags, "enriched"]}


def rate(state: Customer) -> dict:
    return {"score": 4.5 if state.address else 1.0}


builder = StateGraph(Customer)
builder.add_node("enrich", enrich)
builder.add_node("rate", rate)
builder.add_edge(START, "enrich")
builder.add_edge("enrich", "rate")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver, interrupt_before=["rate"])
    config = {"configurable": {"thread_id": "cust"}}
    print(graph.invoke({"name": "Zoé"}, config))
    values = graph.get_state(config).values
    print(type(values["address"]).__name__, values["address"])
    print(graph.invoke(None, config))
    for snap in graph.get_state_history(config):
        print(snap.metadata["step"], snap.next, snap.values.get("score"))
