"""GraphRecursionError with a checkpointer: the thread keeps its progress; invoke(None) with a
higher recursion_limit finishes it."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    n: int


def step(state: State) -> dict:
    return {"n": state["n"] + 1}


def again(state: State) -> str:
    return END if state["n"] >= 6 else "step"


builder = StateGraph(State)
builder.add_node("step", step)
builder.add_edge(START, "step")
builder.add_conditional_edges("step", again, ["step", END])

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "r"}}
    try:
        graph.invoke({"n": 0}, {**config, "recursion_limit": 3})
    except GraphRecursionError:
        print("stopped")
    state = graph.get_state(config)
    print(state.values, state.next, state.metadata["step"])
    print(graph.invoke(None, {**config, "recursion_limit": 10}))
    print([(s.metadata["step"], s.values["n"]) for s in graph.get_state_history(config, limit=3)])
