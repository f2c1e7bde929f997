"""InMemoryStore.search with filters ($eq, $ne, $gt, $gte, $lt, $lte, nested), limit, offset."""

from langgraph.store.memory import InMemoryStore

store = InMemoryStore()
products = [
    ("p1", {"name": "tea", "price": 4, "stock": {"count": 10}, "tags": ["drink"]}),
    ("p2", {"name": "coffee", "price": 6, "stock": {"count": 0}, "tags": ["drink"]}),
    ("p3", {"name": "cake", "price": 12, "stock": {"count": 3}, "tags": ["food"]}),
    ("p4", {"name": "bread", "price": 3, "stock": {"count": 7}, "tags": ["food"]}),
]
for key, value in products:
    store.put(("shop", "products"), key, value)


def show(label: str, **options: object) -> None:
    found = store.search(("shop",), **options)
    print(label, [item.key for item in found])


show("all")
show("eq", filter={"name": "cake"})
show("ne", filter={"name": {"$ne": "cake"}})
show("gt", filter={"price": {"$gt": 4}})
show("gte lt", filter={"price": {"$gte": 4, "$lt": 12}})
show("lte", filter={"price": {"$lte": 4}})
show("nested", filter={"stock": {"count": 0}})
show("list", filter={"tags": ["food"]})
show("two keys", filter={"tags": ["drink"], "price": {"$gt": 5}})
show("limit", limit=2)
show("offset", limit=2, offset=2)
show("none", filter={"name": "soup"})
print(store.search(("nothing",)))
