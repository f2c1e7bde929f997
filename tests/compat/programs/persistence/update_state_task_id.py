"""update_state(task_id=...): an update credited to one pending task, shown as its result."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send, StateUpdate
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    item: str


builder = StateGraph(State)
builder.add_node("split", lambda s: {"log": ["split"]})
builder.add_node("work", lambda s: {"log": ["work " + s["item"]]})
builder.add_node("done", lambda s: {"log": ["done"]})
builder.add_edge(START, "split")
builder.add_conditional_edges("split", lambda s: [Send("work", {"item": i}) for i in "ab"])
builder.add_edge("work", "done")
saver = InMemorySaver()
graph = builder.compile(checkpointer=saver, interrupt_before=["work"])


def show(config):
    for snap in graph.get_state_history(config):
        tasks = [(t.name, t.id, t.result) for t in snap.tasks]
        print(snap.metadata["step"], snap.metadata["source"], snap.next, tasks, snap.values)


config = {"configurable": {"thread_id": "1"}}
graph.invoke({"log": []}, config)
paused = graph.get_state(config)
second = paused.tasks[1].id
graph.update_state(config, {"log": ["by hand"]}, as_node="work", task_id=second)
print(saver.get_tuple(paused.config).pending_writes)
show(config)
print(graph.invoke(None, config))

other = {"configurable": {"thread_id": "2"}}
graph.invoke({"log": []}, other)
base = graph.get_state(other).config
graph.bulk_update_state(
    other,
    [
        [
            StateUpdate({"log": ["u1"]}, "work"),
            StateUpdate({"log": ["u2"]}, "work"),
            StateUpdate({"log": ["u3"]}, "work"),
            StateUpdate({"log": ["again"]}, "split"),
        ]
    ],
)
print([(w[1], w[2]) for w in saver.get_tuple(base).pending_writes])
show(other)

fresh = {"configurable": {"thread_id": "3"}}
graph.update_state(fresh, {"log": ["first"]}, as_node="split", task_id="mine")
show(fresh)
