"""PostgresSaver: answer an old interrupt again from history, interrupt_after="*", and a recursion
limit hit then lifted.
"""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.errors import GraphRecursionError
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    n: int


def ask(state: State) -> dict:
    return {"log": [interrupt("pick")]}


picker = StateGraph(State)
picker.add_node("ask", ask)
picker.add_node("done", lambda s: {"log": ["done"]})
picker.add_edge(START, "ask")
picker.add_edge("ask", "done")

counter = StateGraph(State)
counter.add_node("tick", lambda s: {"n": s["n"] + 1})
counter.add_edge(START, "tick")
counter.add_conditional_edges(
    "tick", lambda s: "tick" if s["n"] < 6 else "__end__", ["tick", "__end__"]
)

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = picker.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "pick"}}
    graph.invoke({"log": [], "n": 0}, config)
    print(graph.invoke(Command(resume="A"), config))
    old = next(s for s in graph.get_state_history(config) if s.next == ("ask",))
    print(graph.invoke(Command(resume="B"), old.config))
    print([(s.metadata["step"], s.values.get("log")) for s in graph.get_state_history(config)])

    stepper = picker.compile(checkpointer=saver, interrupt_after="*")
    step_config = {"configurable": {"thread_id": "step"}}
    print(stepper.invoke({"log": [], "n": 0}, step_config), stepper.get_state(step_config).next)
    print(stepper.invoke(Command(resume="C"), step_config), stepper.get_state(step_config).next)
    print(stepper.invoke(None, step_config), stepper.get_state(step_config).next)

    looping = counter.compile(checkpointer=saver)
    loop_config = {"configurable": {"thread_id": "loop"}}
    try:
        looping.invoke({"log": [], "n": 0}, {**loop_config, "recursion_limit": 3})
    except GraphRecursionError:
        print("recursion limit reached")
    state = looping.get_state(loop_config)
    print(state.values, state.next, state.metadata["step"])
    print(looping.invoke(None, {**loop_config, "recursion_limit": 20}))
    print(len(list(looping.get_state_history(loop_config))), "checkpoints")
