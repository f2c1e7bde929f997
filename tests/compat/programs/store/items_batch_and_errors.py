"""Item and SearchItem fields, dict(), equality; batch() with ops; refused namespaces."""

from langgraph.store.base import GetOp, Item, ListNamespacesOp, PutOp, SearchItem, SearchOp
from langgraph.store.memory import InMemoryStore

store = InMemoryStore()
store.put(("a",), "k", {"v": 1})
item = store.get(("a",), "k")
print(type(item).__name__, isinstance(item, Item), item.dict()["value"], item.dict()["namespace"])
print(item == store.get(("a",), "k"), item == "other")
hit = store.search(("a",))[0]
print(type(hit).__name__, isinstance(hit, SearchItem), hit.score, sorted(hit.dict()))

results = store.batch(
    [
        PutOp(("b",), "x", {"v": 2}),
        GetOp(("a",), "k"),
        SearchOp(("a",)),
        ListNamespacesOp(),
        PutOp(("a",), "k", None),
    ]
)
print(results[0], results[1].value, [i.key for i in results[2]], results[3], results[4])
print(store.get(("a",), "k"), store.get(("b",), "x").value)

for bad in [("a.b",), ("a", ""), (), ("langgraph", "x")]:
    try:
        store.put(bad, "k", {"v": 1})
        print(bad, "stored")
    except ValueError as error:
        print(bad, type(error).__name__, isinstance(error, ValueError))
try:
    store.search(("x.y",))
except ValueError as error:
    print("search", type(error).__name__)
print(store.list_namespaces(prefix=("b",)))
