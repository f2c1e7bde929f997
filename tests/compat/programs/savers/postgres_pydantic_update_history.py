"""PostgresSaver: a pydantic state updated by hand; every history snapshot holds model-validated
values.
"""

import os

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class Counter(BaseModel):
    n: int = 0
    tags: list[str] = []


builder = StateGraph(Counter)
builder.add_node("inc", lambda s: {"n": s.n + 1})
builder.add_edge(START, "inc")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "counter"}}
    print(graph.invoke({"n": 1, "tags": ["x"]}, config))
    graph.update_state(config, {"tags": ["y"]})
    for snap in graph.get_state_history(config):
        print(snap.metadata["step"], snap.metadata["source"], snap.values, snap.next)
    print(graph.invoke(None, config))
    print(graph.invoke({"n": 10}, config))
