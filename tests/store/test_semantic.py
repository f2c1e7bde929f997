"""Semantic search on every store: embed functions (plain, async, Embeddings objects), fields,
ranking and scores, the pure-Python ranking against numpy's."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from cairngraph.store import _embed
from cairngraph.store._embed import EmbeddingError, texts_at, tokenize_path
from cairngraph.store.base import BaseStore
from tests.store.conftest import MakeStore

WORDS = ("cat", "dog", "fish", "tree", "car")


def embed(texts: Sequence[str]) -> list[list[float]]:
    """Counts of a few words, plus a constant so no vector is zero: deterministic."""
    return [[float(text.count(word)) for word in WORDS] + [0.1] for text in texts]


async def aembed(texts: Sequence[str]) -> list[list[float]]:
    await asyncio.sleep(0)
    return embed(texts)


class Embeddings:
    """Duck-typed like LangChain's ``Embeddings``; counts its calls."""

    def __init__(self) -> None:
        self.documents = 0
        self.queries = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return embed(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return embed([text])[0]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def fill(store: BaseStore) -> None:
    store.put(("docs", "a"), "1", {"text": "cat cat dog", "kind": "pet"})
    store.put(("docs", "a"), "2", {"text": "tree tree car", "kind": "thing"})
    store.put(("docs", "b"), "3", {"text": "fish cat", "kind": "pet"})
    store.put(("docs", "b"), "4", {"text": "car car car", "kind": "thing"})
    store.put(("docs",), "5", {"text": "cat"}, index=False)


INDEX = {"embed": embed, "dims": len(WORDS) + 1, "fields": ["text"]}


def test_query_ranks_by_cosine_similarity(make_store: MakeStore) -> None:
    store = make_store(index=INDEX)
    fill(store)
    hits = store.search(("docs",), query="cat", limit=10)
    ranked = [hit.key for hit in hits if hit.score is not None]
    expected = sorted(
        (
            (key, text)
            for key, text in [
                ("1", "cat cat dog"),
                ("2", "tree tree car"),
                ("3", "fish cat"),
                ("4", "car car car"),
            ]
        ),
        key=lambda pair: -cosine(embed(["cat"])[0], embed([pair[1]])[0]),
    )
    assert ranked == [key for key, _ in expected]
    for hit in hits[:4]:
        text = hit.value["text"]
        assert hit.score == pytest.approx(cosine(embed(["cat"])[0], embed([text])[0]), abs=1e-5)
    assert [hit.key for hit in hits if hit.score is None] == ["5"]  # not indexed: last
    assert [hit.key for hit in store.search(("docs",), query="car", limit=1)] == ["4"]
    assert [hit.key for hit in store.search(("docs",), query="cat", limit=2, offset=1)] == [
        key for key, _ in expected[1:3]
    ]


def test_query_with_filter_and_prefix(make_store: MakeStore) -> None:
    store = make_store(index=INDEX)
    fill(store)
    hits = store.search(("docs",), query="car", filter={"kind": "pet"}, limit=2)
    assert [hit.key for hit in hits] == ["3", "1"] or [hit.key for hit in hits] == ["1", "3"]
    assert all(hit.value["kind"] == "pet" for hit in hits)
    assert [hit.key for hit in store.search(("docs", "b"), query="cat")] == ["3", "4"]


def test_overwrite_and_delete_replace_vectors(make_store: MakeStore) -> None:
    store = make_store(index=INDEX)
    store.put(("d",), "x", {"text": "cat"})
    store.put(("d",), "y", {"text": "dog"})
    store.put(("d",), "x", {"text": "car"})
    assert store.search(("d",), query="car", limit=1)[0].key == "x"
    store.delete(("d",), "x")
    assert [hit.key for hit in store.search(("d",), query="car")] == ["y"]


def test_fields_per_put_and_lists(make_store: MakeStore) -> None:
    store = make_store(index={"embed": embed, "dims": len(WORDS) + 1})  # fields: whole value
    store.put(("f",), "whole", {"a": "dog", "b": "tree"})
    store.put(("f",), "only_b", {"a": "cat cat cat", "b": "fish"}, index=["b"])
    store.put(("f",), "many", {"notes": ["car", "cat"]}, index=["notes[*]"])
    assert store.search(("f",), query="cat", limit=1)[0].key == "many"  # its best vector
    assert store.search(("f",), query="fish", limit=1)[0].key == "only_b"
    assert store.search(("f",), query="tree", limit=1)[0].key == "whole"


def test_embeddings_object_and_async_function(make_store: MakeStore) -> None:
    embeddings = Embeddings()
    store = make_store(index={"embed": embeddings, "dims": len(WORDS) + 1, "fields": ["text"]})
    fill(store)
    assert embeddings.documents == 4
    assert store.search(("docs",), query="fish", limit=1)[0].key == "3"
    assert embeddings.queries == 1

    async_store = make_store(index={"embed": aembed, "dims": len(WORDS) + 1, "fields": ["text"]})

    async def run() -> list[str]:
        await async_store.aput(("x",), "1", {"text": "dog"})
        await async_store.aput(("x",), "2", {"text": "cat"})
        return [hit.key for hit in await async_store.asearch(("x",), query="cat")]

    assert asyncio.run(run()) == ["2", "1"]


def test_without_an_index_a_query_returns_unranked_items(store: BaseStore) -> None:
    store.put(("n",), "1", {"text": "cat"}, index=["text"])
    hits = store.search(("n",), query="cat")
    assert [(hit.key, hit.score) for hit in hits] == [("1", None)]


def test_embedder_errors_name_the_problem(make_store: MakeStore) -> None:
    store = make_store(index={"embed": lambda texts: [[1.0]] * len(texts), "dims": 3})
    with pytest.raises(EmbeddingError, match="dims"):
        store.put(("e",), "k", {"text": "x"})
    assert store.get(("e",), "k") is None
    with pytest.raises(EmbeddingError, match="dims"):
        make_store(index={"embed": embed, "dims": 0})
    with pytest.raises(EmbeddingError, match="init_embeddings"):
        make_store(index={"embed": "openai:text-embedding-3-small", "dims": 2})
    with pytest.raises(EmbeddingError, match="cosine"):
        make_store(index={"embed": embed, "dims": 2, "distance_type": "l2"})
    with pytest.raises(TypeError, match="unknown keys"):
        make_store(index={"embed": embed, "dims": 2, "feilds": ["x"]})


def test_pure_python_ranking_matches_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    query = _embed.pack([1.0, 2.0, 0.5])
    vectors = [_embed.pack(v) for v in ([1.0, 2.0, 0.4], [0.0, 1.0, 0.0], [3.0, 0.1, 1.0])]
    fast = _embed.similarities(query, vectors)
    monkeypatch.setattr(_embed, "_PURE", True)
    slow = _embed.similarities(query, vectors)
    assert slow == pytest.approx(fast, abs=1e-6)
    assert fast == pytest.approx(
        [cosine([1.0, 2.0, 0.5], v) for v in ([1.0, 2.0, 0.4], [0, 1, 0], [3.0, 0.1, 1.0])],
        abs=1e-6,
    )
    assert _embed.similarities(query, [_embed.pack([0.0, 0.0, 0.0])]) == [0.0]


def test_paths_as_langgraph_reads_them() -> None:
    assert tokenize_path("a.b[0].{c,d.e}") == ["a", "b", "[0]", "{c,d.e}"]
    value = {"a": {"b": [{"c": "x", "d": {"e": 1}}]}, "tags": ["p", "q"], "n": None}
    assert texts_at(value, ["a.b[0].{c,d.e}"]) == [
        ("a.b[0].{c,d.e}.0", "x"),
        ("a.b[0].{c,d.e}.1", "1"),
    ]
    assert texts_at(value, ["tags[*]"]) == [("tags[*].0", "p"), ("tags[*].1", "q")]
    assert texts_at(value, ["tags[-1]"]) == [("tags[-1]", "q")]
    assert texts_at(value, ["n", "missing"]) == []
    assert texts_at({"b": 1, "a": "é"}, ["$"]) == [("$", '{"a": "é", "b": 1}')]


def test_sqlite_ranking_in_sql_matches_python(tmp_path: Path) -> None:
    """The sqlite-vec path's SQL, with ``vec_distance_cosine`` supplied by Python.

    This machine's ``sqlite3`` cannot load extensions, so the function the query
    calls is registered here with sqlite-vec's meaning (1 - cosine similarity of
    float32 blobs); the statements, the walk and the paging are the store's own.
    """
    from cairngraph.store.sqlite import SqliteStore

    stores = []
    for name in ("sql", "python"):
        store = SqliteStore(tmp_path / f"{name}.db", index=INDEX)
        fill(store)
        stores.append(store)
    in_sql, in_python = stores

    def distance(left: bytes, right: bytes) -> float:
        a, b = _embed.unpack(left), _embed.unpack(right)
        return 1.0 - cosine(a, b)

    in_sql.conn.create_function("vec_distance_cosine", 2, distance, deterministic=True)
    in_sql.vector_search = "sqlite-vec"
    for query, filter in [("cat", None), ("car", {"kind": "thing"}), ("fish dog", None)]:
        got = [
            (h.key, round(h.score or 0, 5))
            for h in in_sql.search(("docs",), query=query, filter=filter)
        ]
        want = [
            (h.key, round(h.score or 0, 5))
            for h in in_python.search(("docs",), query=query, filter=filter)
        ]
        assert got == want
    for store in stores:
        store.close()
