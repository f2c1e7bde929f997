"""After a fork, get_state_history(fork config) walks the fork's ancestors only; the thread's
history holds both branches; checkpoint ids stay distinct."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    value: str


builder = StateGraph(State)
builder.add_sequence(
    [("a", lambda s: {"value": s["value"] + "a"}), ("b", lambda s: {"value": s["value"] + "b"})]
)
builder.add_edge(START, "a")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "f"}}
    graph.invoke({"value": ""}, config)
    before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
    fork = graph.update_state(before_b.config, {"value": "X"})
    graph.invoke(None, fork)
    latest = graph.get_state(config)
    print(latest.values, latest.metadata["step"], latest.metadata["source"])
    branch = list(graph.get_state_history(latest.config))
    print([(s.metadata["step"], s.metadata["source"], s.values.get("value")) for s in branch])
    everything = list(graph.get_state_history(config))
    print([(s.metadata["step"], s.metadata["source"], s.values.get("value")) for s in everything])
    ids = [s.config["configurable"]["checkpoint_id"] for s in everything]
    print(len(ids), len(set(ids)))
    print(list(graph.get_state_history(config, before=before_b.config))[0].metadata["step"])
