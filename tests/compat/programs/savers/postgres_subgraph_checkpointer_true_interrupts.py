"""PostgresSaver: a checkpointer=True subgraph interrupts on each parent run and keeps its own
history.
"""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt(f"answer #{len(state['log'])}?")]}


inner = StateGraph(State)
inner.add_node("ask", ask)
inner.add_edge(START, "ask")

outer = StateGraph(State)
outer.add_node("assistant", inner.compile(checkpointer=True))
outer.add_edge(START, "assistant")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "conv"}}
    for turn in range(2):
        result = graph.invoke({"log": [f"turn {turn}"]}, config)
        print([i.value for i in result["__interrupt__"]])
        print(graph.invoke(Command(resume=f"answer {turn}"), config))
        state = graph.get_state(config, subgraphs=True)
        print(state.values, state.tasks)
    print(sorted({t.config["configurable"]["checkpoint_ns"] for t in saver.list(None)}))
    inner_history = list(
        saver.list({"configurable": {"thread_id": "conv", "checkpoint_ns": "assistant"}})
    )
    print([(t.metadata["step"], t.metadata["source"]) for t in inner_history])
