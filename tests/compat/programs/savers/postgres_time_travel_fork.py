"""PostgresSaver: replay an old checkpoint and fork another one; the history keeps every branch."""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
calls = {"joke": 0}


class State(TypedDict):
    topic: str
    jokes: Annotated[list[str], operator.add]


def joke(state: State) -> dict:
    calls["joke"] += 1
    return {"jokes": [f"joke {calls['joke']} about {state['topic']}"]}


builder = StateGraph(State)
builder.add_node("topic", lambda s: {"topic": s["topic"] or "cats"})
builder.add_node("joke", joke)
builder.add_edge(START, "topic")
builder.add_edge("topic", "joke")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "jokes"}}
    print(graph.invoke({"topic": "", "jokes": []}, config))
    before_joke = next(s for s in graph.get_state_history(config) if s.next == ("joke",))
    print(graph.invoke(None, before_joke.config))
    forked = graph.update_state(before_joke.config, {"topic": "dogs"})
    print(graph.invoke(None, forked))
    print(calls)
    print(
        [
            (
                s.metadata["step"],
                s.metadata["source"],
                s.values.get("topic"),
                len(s.values.get("jokes", [])),
            )
            for s in graph.get_state_history(config)
        ]
    )
