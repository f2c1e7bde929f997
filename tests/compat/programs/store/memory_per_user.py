"""InMemoryStore in nodes: one namespace per user, the `store` parameter, across threads."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore


class State(TypedDict):
    user: str
    message: str
    memories: list[str]


def remember(state: State, store: BaseStore) -> dict:
    namespace = ("memories", state["user"])
    if state["message"].startswith("remember "):
        fact = state["message"].removeprefix("remember ")
        store.put(namespace, f"m{len(store.search(namespace))}", {"fact": fact})
    return {}


def recall(state: State, store: BaseStore) -> dict:
    items = store.search(("memories", state["user"]))
    return {"memories": [item.value["fact"] for item in items]}


builder = StateGraph(State)
builder.add_node("remember", remember)
builder.add_node("recall", recall)
builder.add_edge(START, "remember")
builder.add_edge("remember", "recall")
store = InMemoryStore()
graph = builder.compile(checkpointer=InMemorySaver(), store=store)

turns = [
    ("t1", "ann", "remember likes tea"),
    ("t2", "ann", "remember has a cat"),
    ("t3", "bo", "remember plays chess"),
    ("t4", "ann", "what do you know?"),
]
for thread, user, message in turns:
    out = graph.invoke(
        {"user": user, "message": message, "memories": []},
        {"configurable": {"thread_id": thread}},
    )
    print(thread, user, out["memories"])
print(store.list_namespaces())
item = store.get(("memories", "ann"), "m1")
print(item.key, item.namespace, item.value)
print(sorted(item.dict()))
