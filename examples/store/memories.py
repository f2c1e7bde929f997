"""Long-term memory across threads: a graph whose nodes read and write a SqliteStore."""

import tempfile
from pathlib import Path
from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, StateGraph
from cairngraph.runtime import Runtime
from cairngraph.store.base import BaseStore
from cairngraph.store.sqlite import SqliteStore


class State(TypedDict):
    user: str
    message: str
    reply: str


def remember(state: State, store: BaseStore) -> dict:
    if state["message"].startswith("remember "):
        fact = state["message"].removeprefix("remember ")
        namespace = ("memories", state["user"])
        store.put(namespace, f"fact-{len(store.search(namespace))}", {"text": fact})
    return {}


def answer(state: State, runtime: Runtime) -> dict:
    facts = runtime.store.search(("memories", state["user"]), limit=100)
    return {"reply": f"I know {len(facts)} things about {state['user']}"}


builder = StateGraph(State)
builder.add_node("remember", remember)
builder.add_node("answer", answer)
builder.add_edge(START, "remember")
builder.add_edge("remember", "answer")

path = Path(tempfile.mkdtemp()) / "memories.db"
with SqliteStore.from_conn_string(path) as store:
    store.setup()
    graph = builder.compile(checkpointer=InMemorySaver(), store=store)
    for thread, user, message in [
        ("1", "ann", "remember likes tea"),
        ("2", "ann", "remember has a cat"),
        ("3", "bo", "remember plays chess"),
        ("4", "ann", "hello"),
    ]:
        out = graph.invoke(
            {"user": user, "message": message, "reply": ""},
            {"configurable": {"thread_id": thread}},
        )
        print(thread, out["reply"])

# Another process (here: a new store on the same file) sees the same memories.
with SqliteStore.from_conn_string(path) as store:
    print(store.list_namespaces(prefix=("memories",)))
    item = store.get(("memories", "ann"), "fact-1")
    print(item.key, item.value, item.created_at.tzinfo)
    found = store.search(("memories",), filter={"text": {"$ne": "x"}})
    print(sorted(hit.value["text"] for hit in found))
