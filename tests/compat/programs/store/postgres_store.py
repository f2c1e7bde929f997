"""PostgresStore.from_conn_string: setup, namespaces per user, filters, list_namespaces."""

import os

from langgraph.store.postgres import PostgresStore

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

with PostgresStore.from_conn_string(DB_URI) as store:
    store.setup()
    for user, score in [("ann", 7), ("bo", 3), ("cy", 9)]:
        store.put(("scores", user), "game", {"score": score, "user": user, "meta": {"level": 2}})
    store.put(("scores", "ann"), "quiz", {"score": 1, "user": "ann"})
    item = store.get(("scores", "ann"), "game")
    # PostgreSQL's jsonb reorders keys, so compare the items sorted
    print(item.namespace, item.key, sorted(item.value.items()))
    high = store.search(("scores",), filter={"score": {"$gt": 5}})
    print(sorted((item.namespace[-1], item.key) for item in high))
    print(sorted(i.key for i in store.search(("scores", "ann"))))
    print(
        sorted(i.value["user"] for i in store.search(("scores",), filter={"user": {"$ne": "bo"}}))
    )
    print(store.list_namespaces(prefix=("scores",)))
    print(store.list_namespaces(max_depth=1))
    store.delete(("scores", "bo"), "game")
    print(store.get(("scores", "bo"), "game"))
    print(store.list_namespaces())
