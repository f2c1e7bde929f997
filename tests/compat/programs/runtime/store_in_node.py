"""compile(store=InMemoryStore()): nodes read and write long-term memory via runtime.store."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime
from langgraph.store.memory import InMemoryStore


class State(TypedDict):
    user: str
    fact: str
    known: list[str]


def remember(state: State, runtime: Runtime) -> dict:
    namespace = ("memories", state["user"])
    count = len(runtime.store.search(namespace))
    runtime.store.put(namespace, f"fact-{count}", {"text": state["fact"]})
    items = runtime.store.search(namespace)
    return {"known": sorted(item.value["text"] for item in items)}


builder = StateGraph(State)
builder.add_node("remember", remember)
builder.add_edge(START, "remember")
store = InMemoryStore()
graph = builder.compile(checkpointer=InMemorySaver(), store=store)

for thread, user, fact in (("1", "ann", "likes tea"), ("2", "ann", "has a cat"), ("3", "bo", "x")):
    result = graph.invoke(
        {"user": user, "fact": fact, "known": []}, {"configurable": {"thread_id": thread}}
    )
    print(thread, result["known"])
print(store.get(("memories", "ann"), "fact-1").value)
