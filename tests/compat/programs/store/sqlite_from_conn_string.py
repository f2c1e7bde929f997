"""SqliteStore.from_conn_string(':memory:'): setup, put, get, search, list, delete."""

from langgraph.store.sqlite import SqliteStore

with SqliteStore.from_conn_string(":memory:") as store:
    store.setup()
    store.put(("users", "ann"), "prefs", {"theme": "dark", "lang": "en"})
    store.put(("users", "bo"), "prefs", {"theme": "light", "lang": "fr"})
    store.put(("users", "ann"), "profile", {"age": 31})
    item = store.get(("users", "ann"), "prefs")
    print(item.namespace, item.key, item.value)
    print(store.get(("users", "ann"), "missing"))
    found = store.search(("users",), filter={"theme": "dark"})
    print([(item.namespace, item.key) for item in found])
    print(sorted(item.key for item in store.search(("users", "ann"))))
    print(
        sorted((i.namespace, i.key) for i in store.search(("users",), filter={"age": {"$gte": 30}}))
    )
    print(store.list_namespaces(prefix=("users",)))
    store.put(("users", "ann"), "prefs", {"theme": "blue"})
    print(store.get(("users", "ann"), "prefs").value)
    store.delete(("users", "ann"), "prefs")
    print(store.get(("users", "ann"), "prefs"))
    print(len(store.search(("users",))))
