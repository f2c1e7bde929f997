"""Semantic search: an embedding function, indexed fields, ranked results with scores."""

from cairngraph.store.memory import InMemoryStore
from cairngraph.store.sqlite import SqliteStore

WORDS = ["cat", "dog", "tea", "python", "garden"]


def embed(texts: list[str]) -> list[list[float]]:
    """A toy embedding (word counts); use a real model, or a LangChain Embeddings object."""
    return [[float(text.count(word)) for word in WORDS] + [0.1] for text in texts]


index = {"embed": embed, "dims": len(WORDS) + 1, "fields": ["text"]}
notes = {
    "n1": {"text": "my cat chases the dog", "kind": "pets"},
    "n2": {"text": "tea in the garden", "kind": "home"},
    "n3": {"text": "python, python everywhere", "kind": "work"},
    "n4": {"text": "the cat sleeps in the garden", "kind": "pets"},
}
for store in (InMemoryStore(index=index), SqliteStore(":memory:", index=index)):
    for key, value in notes.items():
        store.put(("notes",), key, value)
    store.put(("notes",), "raw", {"text": "cat cat cat", "kind": "pets"}, index=False)
    hits = store.search(("notes",), query="cat in the garden", limit=3)
    print(type(store).__name__, [(hit.key, round(hit.score, 3)) for hit in hits])
    pets = store.search(("notes",), query="garden", filter={"kind": "pets"}, limit=5)
    print("  pets:", [(hit.key, hit.score and round(hit.score, 3)) for hit in pets])
