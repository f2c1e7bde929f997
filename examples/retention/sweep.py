"""Retention policies: keep the last N checkpoints, drop old ones, expire idle threads."""

import time
from datetime import timedelta
from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.retention import RetentionPolicy, Sweeper
from cairngraph.graph import END, START, StateGraph


class Counter(TypedDict):
    count: int


def add(state: Counter) -> dict[str, int]:
    return {"count": state["count"] + 1}


graph = StateGraph(Counter)
graph.add_node("add", add)
graph.add_edge(START, "add")
graph.add_edge("add", END)
saver = InMemorySaver()
app = graph.compile(checkpointer=saver)
for thread in ("busy-user", "idle-user"):
    for _ in range(4):
        app.invoke({"count": 0}, {"configurable": {"thread_id": thread}})


def count(thread: str) -> int:
    return len(list(saver.list({"configurable": {"thread_id": thread}})))


print("before:", count("busy-user"), count("idle-user"))
report = saver.sweep(RetentionPolicy(keep_last=5))
print("keep_last=5:", count("busy-user"), count("idle-user"), report)

# A TTL deletes a thread whose newest checkpoint is older than it. Each save
# renews it; reads do not. (sweep(now=...) also takes the time to judge by.)
time.sleep(1.5)
app.invoke({"count": 0}, {"configurable": {"thread_id": "busy-user"}})
print("ttl=1s:", saver.sweep(RetentionPolicy(ttl=timedelta(seconds=1))))
print("after:", count("busy-user"), count("idle-user"))

# Or set on the saver and swept in the background, every hour, while the app serves:
saver.retention = RetentionPolicy(keep_last=3)
with Sweeper(saver, saver.retention, every=3600) as sweeper:
    while not sweeper.reports:  # serve requests here; the first sweep runs at once
        time.sleep(0.01)
print("background:", sweeper.reports[0], "->", count("busy-user"))
