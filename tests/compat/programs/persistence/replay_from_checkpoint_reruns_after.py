"""Replay: invoke(None, config of a past checkpoint) reruns only the nodes after it; counts show it."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict

calls = {"a": 0, "b": 0, "c": 0}


class State(TypedDict):
    value: int


def node(name, add):
    def run(state: State) -> dict:
        calls[name] += 1
        return {"value": state["value"] + add}

    return run


builder = StateGraph(State)
builder.add_sequence([("a", node("a", 1)), ("b", node("b", 10)), ("c", node("c", 100))])
builder.add_edge(START, "a")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "replay"}}
    print(graph.invoke({"value": 0}, config), calls)
    history = list(graph.get_state_history(config))
    before_b = next(s for s in history if s.next == ("b",))
    for chunk in graph.stream(None, before_b.config, stream_mode="updates"):
        print(chunk)
    print(calls)
    print([(s.metadata["step"], s.next, s.values) for s in graph.get_state_history(config)][:4])
    print(len(list(graph.get_state_history(config))))
