"""Async nodes with `await store.aput/asearch/aget` on InMemoryStore, through ainvoke."""

import asyncio
from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore


class State(TypedDict):
    user: str
    items: list[str]


async def add(state: State, store: BaseStore) -> dict:
    namespace = ("cart", state["user"])
    await store.aput(namespace, f"item{len(await store.asearch(namespace))}", {"name": "apple"})
    return {}


async def read(state: State, store: BaseStore) -> dict:
    found = await store.asearch(("cart", state["user"]))
    first = await store.aget(("cart", state["user"]), "item0")
    return {"items": [item.key for item in found] + [first.value["name"]]}


builder = StateGraph(State)
builder.add_node("add", add)
builder.add_node("read", read)
builder.add_edge(START, "add")
builder.add_edge("add", "read")
store = InMemoryStore()
graph = builder.compile(store=store)


async def main() -> None:
    for user in ["ann", "ann", "bo"]:
        out = await graph.ainvoke({"user": user, "items": []})
        print(user, out["items"])
    print(await store.alist_namespaces())
    await store.adelete(("cart", "ann"), "item0")
    print([item.key for item in await store.asearch(("cart",))])


asyncio.run(main())
