"""A parallel step fails in one branch; the other branch finished without writing state.
Resuming runs only the failed branch: the silent one is not run (or notified) twice."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    order: str
    charged: bool


calls = []


def send_email(state: State) -> None:
    calls.append("email")
    print("emailing about", state["order"])


def charge(state: State) -> dict:
    calls.append("charge")
    if calls.count("charge") == 1:
        raise TimeoutError("payment gateway timed out")
    return {"charged": True}


builder = StateGraph(State)
builder.add_node("send_email", send_email)
builder.add_node("charge", charge)
builder.add_edge(START, "send_email")
builder.add_edge(START, "charge")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "order-7"}}
try:
    graph.invoke({"order": "#7"}, config)
except TimeoutError as error:
    print("failed:", error)
state = graph.get_state(config)
print(state.next, [(task.name, task.result) for task in state.tasks])
print(graph.invoke(None, config))
print({name: calls.count(name) for name in sorted(set(calls))})
print([[task.result for task in snap.tasks] for snap in graph.get_state_history(config)])
