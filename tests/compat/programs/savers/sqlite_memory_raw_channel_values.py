"""SqliteSaver: trigger channels in raw channel_values through a subgraph interrupt,
Command(goto=), interrupt_after and update_state (with and without as_node)."""

import operator
import sqlite3
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    x: Annotated[list, operator.add]


def ask(s):
    v = interrupt("q")
    return {"x": [v]}


sub = StateGraph(State)
sub.add_node("s1", lambda s: {"x": ["s1"]})
sub.add_node("s2", ask)
sub.add_edge(START, "s1")
sub.add_edge("s1", "s2")

b = StateGraph(State)
b.add_node("a", lambda s: {"x": ["a"]})
b.add_node("sub", sub.compile())
b.add_node("c", lambda s: Command(goto="d", update={"x": ["c"]}))
b.add_node("d", lambda s: {"x": ["d"]})
b.add_edge(START, "a")
b.add_conditional_edges("a", lambda s: "sub")
b.add_edge("sub", "c")
saver = SqliteSaver(sqlite3.connect(":memory:", check_same_thread=False))
g = b.compile(checkpointer=saver, interrupt_after=["c"])
cfg = {"configurable": {"thread_id": "1"}}
g.invoke({"x": []}, cfg)
st = g.get_state(cfg, subgraphs=True)
print(st.tasks[0].state.values)
sub_cfg = st.tasks[0].state.config
print(saver.get_tuple(sub_cfg).checkpoint["channel_values"])
g.invoke(Command(resume="r"), cfg)
print(saver.get_tuple(cfg).checkpoint["channel_values"])
g.update_state(cfg, {"x": ["u"]})
print(saver.get_tuple(cfg).checkpoint["channel_values"])
g.invoke(None, cfg)
g.update_state(cfg, {"x": ["v"]}, as_node="a")
print(saver.get_tuple(cfg).checkpoint["channel_values"])
print(g.get_state(cfg).next)
for t in saver.list(cfg):
    print(
        t.metadata["step"],
        t.metadata["source"],
        dict(sorted(t.checkpoint["channel_values"].items())),
    )
