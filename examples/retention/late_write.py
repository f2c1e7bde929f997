"""A thread deleted while a run still holds it: the run's next save is refused."""

import threading
from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import ThreadDeletedError
from cairngraph.graph import END, START, StateGraph


class Job(TypedDict, total=False):
    done: list[str]


saver = InMemorySaver()
deleted_once = threading.Event()


def fetch(state: Job) -> dict[str, list[str]]:
    return {"done": ["fetch"]}


def slow_step(state: Job) -> dict[str, list[str]]:
    if not deleted_once.is_set():  # meanwhile, an admin deletes the thread
        deleted_once.set()
        admin = threading.Thread(target=saver.delete_thread, args=("job-7",))
        admin.start()
        admin.join()
    return {"done": [*state["done"], "slow_step"]}


graph = StateGraph(Job)
graph.add_node("fetch", fetch)
graph.add_node("slow_step", slow_step)
graph.add_edge(START, "fetch")
graph.add_edge("fetch", "slow_step")
graph.add_edge("slow_step", END)
app = graph.compile(checkpointer=saver)
config = {"configurable": {"thread_id": "job-7"}}

try:
    app.invoke({"done": []}, config)
except ThreadDeletedError as error:
    print(type(error).__name__ + ":", str(error).split(". ")[0])
print("checkpoints left:", len(list(saver.list(config))))

# Reusing the id on purpose: a new run with input starts the thread afresh.
print(app.invoke({"done": []}, config))
