"""Tasks called together run concurrently; their futures are collected afterwards."""

import threading
import time

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task

started = []
lock = threading.Lock()
both = threading.Barrier(2, timeout=5)


@task
def add_one(number: int) -> int:
    with lock:
        started.append(number)
    if number < 3:
        both.wait()  # only passes when the two tasks run at the same time
    time.sleep(0.01)
    return number + 1


@entrypoint(checkpointer=InMemorySaver())
def graph(numbers: list[int]) -> list[int]:
    futures = [add_one(i) for i in numbers]
    return [f.result() for f in futures]


config = {"configurable": {"thread_id": "t"}}
print(graph.invoke([1, 2, 3], config))
print(sorted(started))
chunks = list(graph.stream([5, 6], {"configurable": {"thread_id": "u"}}))
# The two calls finish in either order; the entrypoint's own update comes last.
print(sorted(chunk["add_one"] for chunk in chunks[:-1]), chunks[-1])
