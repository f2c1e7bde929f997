"""SqliteSaver on a file: a sibling fails; after a reopen, invoke(None) reruns only the failed
node.
"""

import operator
import time
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

runs = {"email": 0, "sms": 0, "push": 0}
down = {"sms": True}


class State(TypedDict):
    sent: Annotated[list[str], operator.add]


def channel(name):
    def send(state: State) -> dict:
        runs[name] += 1
        if down.get(name):
            time.sleep(0.05)  # the gateway answers after the others are done
            raise RuntimeError(f"{name} gateway unavailable")
        return {"sent": [name]}

    return send


def build():
    builder = StateGraph(State)
    for name in runs:
        builder.add_node(name, channel(name))
        builder.add_edge(START, name)
    return builder


config = {"configurable": {"thread_id": "notify"}}
with SqliteSaver.from_conn_string("notify.db") as saver:
    graph = build().compile(checkpointer=saver)
    try:
        graph.invoke({"sent": []}, config)
    except RuntimeError as exc:
        print("error:", exc)

down["sms"] = False
with SqliteSaver.from_conn_string("notify.db") as saver:
    graph = build().compile(checkpointer=saver)
    saved = saver.get_tuple(config)
    print("pending writes", len(saved.pending_writes))
    state = graph.get_state(config)
    print(sorted(state.next), sorted(t.name for t in state.tasks if t.error))
    print(sorted(graph.invoke(None, config)["sent"]))
    print(runs)
