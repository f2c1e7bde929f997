"""AsyncSqliteStore.from_conn_string(':memory:'): await setup, aput, aget, asearch, adelete."""

import asyncio

from langgraph.store.sqlite.aio import AsyncSqliteStore


async def main() -> None:
    async with AsyncSqliteStore.from_conn_string(":memory:") as store:
        await store.setup()
        await store.aput(("docs", "ann"), "a", {"title": "tea", "stars": 4})
        await store.aput(("docs", "ann"), "b", {"title": "cake", "stars": 5})
        await store.aput(("docs", "bo"), "c", {"title": "soup", "stars": 2})
        item = await store.aget(("docs", "ann"), "a")
        print(item.namespace, item.key, item.value)
        good = await store.asearch(("docs",), filter={"stars": {"$gte": 4}})
        print(sorted(hit.key for hit in good))
        print(await store.alist_namespaces(prefix=("docs",)))
        await store.adelete(("docs", "bo"), "c")
        print(await store.aget(("docs", "bo"), "c"), await store.alist_namespaces())


asyncio.run(main())
