"""PostgresSaver: a handler that fails under each durability; invoke(None) runs it again."""

import operator
import os
from typing import Annotated

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    log: Annotated[list[str], operator.add]


handler_up = {"on": False}


def send_email(state: State) -> dict:
    raise RuntimeError("SMTP 550")


def notify_ops(state: State, error: NodeError) -> dict:
    if not handler_up["on"]:
        raise ConnectionError("pager service down")
    return {"log": [f"paged ops about {error.node}"]}


builder = StateGraph(State)
builder.add_node("prepare", lambda s: {"log": ["prepared"]})
builder.add_node("send_email", send_email, error_handler=notify_ops)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "send_email")

with PostgresSaver.from_conn_string(DB_URI) as checkpointer:
    checkpointer.setup()
    graph = builder.compile(checkpointer=checkpointer)
    for durability in ("sync", "async", "exit"):
        handler_up["on"] = False
        config = {"configurable": {"thread_id": f"mail-{durability}"}}
        try:
            graph.invoke({"log": []}, config, durability=durability)
        except ConnectionError as exc:
            print(durability, "failed:", exc)
        snapshot = graph.get_state(config)
        print(" next", snapshot.next, [(t.name, t.error) for t in snapshot.tasks])
        handler_up["on"] = True
        print(" resumed", graph.invoke(None, config, durability=durability))
        print(" steps", [s.metadata["step"] for s in graph.get_state_history(config)])
