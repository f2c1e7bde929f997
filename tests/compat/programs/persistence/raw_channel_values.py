"""Raw checkpoint["channel_values"] as saver.list() gives them: due triggers
(branch:to:<node> holds None), join barriers (a set), __pregel_tasks, a deferred
node's trigger."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    x: Annotated[list, operator.add]


def route(s):
    return [Send("w", {"x": [i]}) for i in range(2)] + ["c"]


b = StateGraph(State)
b.add_node("a", lambda s: {"x": ["a"]})
b.add_node("b", lambda s: {"x": ["b"]})
b.add_node("c", lambda s: {"x": ["c"]})
b.add_node("w", lambda s: {"x": ["w"]})
b.add_node("j", lambda s: {"x": ["j"]})
b.add_node("d", lambda s: {"x": ["d"]}, defer=True)
b.add_edge(START, "a")
b.add_edge(START, "b")
b.add_conditional_edges("a", route)
b.add_edge(["b", "c"], "j")
b.add_edge("j", "d")
b.add_edge("d", END)
saver = InMemorySaver()
g = b.compile(checkpointer=saver, interrupt_before=["j"])
cfg = {"configurable": {"thread_id": "1"}}
g.invoke({"x": []}, cfg)
g.invoke(None, cfg)
for t in saver.list(cfg):
    cv = t.checkpoint["channel_values"]
    print(t.metadata["step"], dict(sorted(cv.items())))
for s in g.get_state_history(cfg):
    print(s.values, s.next, [t.name for t in s.tasks])
print(saver.get_tuple(cfg).checkpoint["channel_values"])
