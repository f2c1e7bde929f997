"""AsyncPostgresStore in an async graph: nodes await store.aput/asearch; ainvoke per user."""

import asyncio
import os
from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.postgres.aio import AsyncPostgresStore

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    user: str
    visits: int


async def visit(state: State, store: BaseStore) -> dict:
    namespace = ("visits", state["user"])
    seen = await store.asearch(namespace, limit=100)
    await store.aput(namespace, f"v{len(seen)}", {"n": len(seen) + 1})
    return {"visits": len(seen) + 1}


builder = StateGraph(State)
builder.add_node("visit", visit)
builder.add_edge(START, "visit")


async def main() -> None:
    async with AsyncPostgresStore.from_conn_string(DB_URI) as store:
        await store.setup()
        graph = builder.compile(store=store)
        for user in ["ann", "bo", "ann", "ann"]:
            out = await graph.ainvoke({"user": user, "visits": 0})
            print(user, out["visits"])
        print(await store.alist_namespaces(prefix=("visits",)))
        found = await store.asearch(("visits", "ann"), filter={"n": {"$gt": 1}})
        print(sorted(hit.key for hit in found))


asyncio.run(main())
