"""A SqliteStore file shared by two graph runs and reopened: runtime.store and get_store()."""

from typing import TypedDict

from langgraph.config import get_store
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime
from langgraph.store.sqlite import SqliteStore


class State(TypedDict):
    user: str
    note: str
    count: int


def save(state: State, runtime: Runtime) -> dict:
    runtime.store.put(("notes", state["user"]), state["note"], {"text": state["note"]})
    return {}


def count(state: State) -> dict:
    return {"count": len(get_store().search(("notes", state["user"]), limit=100))}


builder = StateGraph(State)
builder.add_node("save", save)
builder.add_node("count", count)
builder.add_edge(START, "save")
builder.add_edge("save", "count")

with SqliteStore.from_conn_string("memories.db") as store:
    store.setup()
    graph = builder.compile(store=store)
    for note in ["buy milk", "call mom", "buy milk"]:
        print(note, graph.invoke({"user": "ann", "note": note, "count": 0})["count"])

with SqliteStore.from_conn_string("memories.db") as store:
    print(sorted(item.value["text"] for item in store.search(("notes", "ann"))))
    print(store.list_namespaces())
