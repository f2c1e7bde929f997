"""list_namespaces: prefix, suffix, '*' wildcards, max_depth, limit and offset."""

from langgraph.store.memory import InMemoryStore

store = InMemoryStore()
for namespace in [
    ("users", "ann", "prefs"),
    ("users", "ann", "memories"),
    ("users", "bo", "memories"),
    ("teams", "red", "memories"),
    ("docs",),
]:
    store.put(namespace, "k", {"v": 1})

print(store.list_namespaces())
print(store.list_namespaces(prefix=("users",)))
print(store.list_namespaces(suffix=("memories",)))
print(store.list_namespaces(prefix=("*", "ann")))
print(store.list_namespaces(prefix=("users",), suffix=("*",)))
print(store.list_namespaces(max_depth=1))
print(store.list_namespaces(max_depth=2))
print(store.list_namespaces(limit=2, offset=1))
store.put(("docs", "old"), "k", {"v": 2})
print(store.list_namespaces(prefix=("docs",)))
