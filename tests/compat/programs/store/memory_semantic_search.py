"""Semantic search on InMemoryStore with a fake, deterministic embedding function."""

from langgraph.store.memory import InMemoryStore

VOCABULARY = ["cat", "dog", "tea", "code", "python", "garden"]


def embed(texts: list[str]) -> list[list[float]]:
    return [[float(text.lower().count(word)) for word in VOCABULARY] + [0.5] for text in texts]


store = InMemoryStore(index={"embed": embed, "dims": len(VOCABULARY) + 1, "fields": ["text"]})
notes = {
    "n1": "I have a cat and a dog",
    "n2": "I drink tea in the garden",
    "n3": "I write python code, python is fun",
    "n4": "my cat sleeps in the garden",
}
for key, text in notes.items():
    store.put(("notes", "ann"), key, {"text": text, "length": len(text)})
store.put(("notes", "ann"), "raw", {"text": "cat cat cat", "length": 11}, index=False)


def scored(found: list) -> list:
    return [(item.key, None if item.score is None else round(item.score, 3)) for item in found]


for query in ["cat", "python code", "garden tea"]:
    print(query, scored(store.search(("notes",), query=query, limit=3)))

print("filtered", scored(store.search(("notes",), query="cat", filter={"length": {"$gt": 22}})))
print("all", scored(store.search(("notes",), query="dog", limit=10)))
print("offset", [item.key for item in store.search(("notes",), query="cat", limit=2, offset=1)])
print("no query", [item.key for item in store.search(("notes",))])
