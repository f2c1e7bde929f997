"""The older way to pause: a node raises NodeInterrupt; update_state, then resume with None."""

import warnings

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeInterrupt
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from typing_extensions import TypedDict

warnings.simplefilter("ignore", DeprecationWarning)


class Payment(TypedDict, total=False):
    amount: int
    approved: bool
    log: list


def check(state: Payment) -> dict:
    if state["amount"] > 100 and not state.get("approved"):
        raise NodeInterrupt(f"amount {state['amount']} needs approval")
    return {"log": ["paid"]}


def build() -> CompiledStateGraph:
    builder = StateGraph(Payment)
    builder.add_node("check", check)
    builder.add_edge(START, "check")
    return builder.compile(checkpointer=InMemorySaver())


graph = build()
print(isinstance(graph, CompiledStateGraph))
config = {"configurable": {"thread_id": "pay-1"}}
result = graph.invoke({"amount": 500}, config)
print(result)
state = graph.get_state(config)
print(state.next, [(task.name, [i.value for i in task.interrupts]) for task in state.tasks])
print(list(graph.stream(None, config, stream_mode="updates")))
graph.update_state(config, {"approved": True})
print(graph.invoke(None, config))
print([snapshot.next for snapshot in graph.get_state_history(config)])
try:
    raise NodeInterrupt("direct")
except NodeInterrupt as error:
    print(type(error).__mro__[1].__name__, error.args[0][0].value)
