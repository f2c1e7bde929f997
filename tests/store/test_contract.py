"""The Store contract, run on every store of ``stores.py`` (sync methods and async twins)."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest

from cairngraph.store._match import FilterError
from cairngraph.store._sqlstore import SqlStore
from cairngraph.store.base import (
    BaseStore,
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    MatchCondition,
    PutOp,
    SearchItem,
    SearchOp,
)
from tests.store.conftest import Clock, MakeStore
from tests.store.stores import sweep


def test_put_get_delete_round_trip(store: BaseStore) -> None:
    value = {"text": "likes tea", "tags": ["a", "b"], "n": 3, "nested": {"x": None}}
    store.put(("users", "ann"), "prefs", value)
    item = store.get(("users", "ann"), "prefs")
    assert isinstance(item, Item)
    assert (item.namespace, item.key, item.value) == (("users", "ann"), "prefs", value)
    assert item.created_at.tzinfo is not None and item.created_at == item.updated_at
    assert item.dict()["namespace"] == ["users", "ann"]
    assert item == store.get(("users", "ann"), "prefs")
    store.delete(("users", "ann"), "prefs")
    assert store.get(("users", "ann"), "prefs") is None
    store.delete(("users", "ann"), "prefs")  # deleting nothing is fine
    assert store.get(("nobody",), "x") is None


def test_overwrite_keeps_created_at_and_moves_updated_at(store: BaseStore, clock: Clock) -> None:
    store.put(("a",), "k", {"v": 1})
    first = store.get(("a",), "k")
    clock.advance(1)
    store.put(("a",), "k", {"v": 2})
    second = store.get(("a",), "k")
    assert first is not None and second is not None
    assert second.value == {"v": 2}
    assert second.created_at == first.created_at
    assert (second.updated_at - first.updated_at).total_seconds() == pytest.approx(60)
    assert second.updated_at.tzinfo == UTC


def test_values_are_copied_in_and_out(store: BaseStore) -> None:
    value = {"list": [1]}
    store.put(("a",), "k", value)
    value["list"].append(2)
    item = store.get(("a",), "k")
    assert item is not None and item.value == {"list": [1]}
    item.value["list"].append(3)
    again = store.get(("a",), "k")
    assert again is not None and again.value == {"list": [1]}


def test_search_stays_inside_the_prefix(store: BaseStore) -> None:
    store.put(("a",), "1", {"n": 1})
    store.put(("a", "b"), "2", {"n": 2})
    store.put(("ab",), "3", {"n": 3})
    store.put(("a/",), "4", {"n": 4})
    assert sorted(hit.key for hit in store.search(("a",))) == ["1", "2"]
    assert [hit.key for hit in store.search(("a", "b"))] == ["2"]
    assert sorted(hit.key for hit in store.search(())) == ["1", "2", "3", "4"]
    assert all(isinstance(hit, SearchItem) and hit.score is None for hit in store.search(()))


def test_search_filters(store: BaseStore) -> None:
    rows = [
        ("1", {"n": 1, "kind": "fruit", "meta": {"color": "red"}, "tags": ["x", "y"]}),
        ("2", {"n": 5, "kind": "fruit", "meta": {"color": "green"}}),
        ("3", {"n": 9, "kind": "veg", "meta": {"color": "red"}}),
        ("4", {"kind": "veg"}),
    ]
    for key, value in rows:
        store.put(("food",), key, value)

    def keys(**filter: object) -> list[str]:
        return sorted(hit.key for hit in store.search(("food",), filter=filter))

    assert keys(kind="fruit") == ["1", "2"]
    assert keys(n={"$gt": 1}) == ["2", "3"]
    assert keys(n={"$gte": 5, "$lt": 9}) == ["2"]
    assert keys(n={"$lte": 5}) == ["1", "2"]
    assert keys(kind={"$ne": "veg"}) == ["1", "2"]
    assert keys(kind={"$eq": "veg"}, n={"$gt": 0}) == ["3"]
    assert keys(meta={"color": "red"}) == ["1", "3"]
    assert sorted(h.key for h in store.search(("food",), filter={"meta.color": "red"})) == [
        "1",
        "3",
    ]
    assert keys(tags=["x", "y"]) == ["1"]
    assert keys(n=None) == ["4"]
    with pytest.raises(FilterError, match=r"\$regex"):
        store.search(("food",), filter={"kind": {"$regex": "f.*"}})


def test_limit_and_offset_page_through_the_newest_first(store: BaseStore, clock: Clock) -> None:
    for number in range(7):
        clock.advance(1)
        store.put(("p",), f"k{number}", {"n": number})
    everything = [hit.key for hit in store.search(("p",), limit=100)]
    assert sorted(everything) == [f"k{n}" for n in range(7)]
    pages = [hit.key for o in (0, 3, 6) for hit in store.search(("p",), limit=3, offset=o)]
    assert pages == everything
    filtered = [hit.key for hit in store.search(("p",), filter={"n": {"$gte": 2}}, limit=2)]
    assert filtered == [key for key in everything if int(key[1:]) >= 2][:2]
    with pytest.raises(ValueError, match="offset"):
        store.search(("p",), limit=-1)


def test_list_namespaces(store: BaseStore) -> None:
    for namespace in [("a", "b", "c"), ("a", "b", "d"), ("a", "e"), ("x", "b", "c"), ("z",)]:
        store.put(namespace, "k", {"v": 1})
    assert store.list_namespaces() == [
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("a", "e"),
        ("x", "b", "c"),
        ("z",),
    ]
    assert store.list_namespaces(prefix=("a",)) == [("a", "b", "c"), ("a", "b", "d"), ("a", "e")]
    assert store.list_namespaces(suffix=("c",)) == [("a", "b", "c"), ("x", "b", "c")]
    assert store.list_namespaces(prefix=("*", "b")) == [
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("x", "b", "c"),
    ]
    assert store.list_namespaces(prefix=("a",), suffix=("*", "d")) == [("a", "b", "d")]
    assert store.list_namespaces(max_depth=1) == [("a",), ("x",), ("z",)]
    assert store.list_namespaces(max_depth=2, limit=2, offset=1) == [("a", "e"), ("x", "b")]
    store.delete(("z",), "k")
    assert ("z",) not in store.list_namespaces()


def test_batch_reads_see_the_store_before_its_puts(store: BaseStore) -> None:
    store.put(("b",), "old", {"v": 0})
    results = store.batch(
        [
            PutOp(("b",), "new", {"v": 1}),
            GetOp(("b",), "new"),
            PutOp(("b",), "new", {"v": 2}),
            SearchOp(("b",)),
            ListNamespacesOp(match_conditions=(MatchCondition("prefix", ("b",)),)),
            PutOp(("b",), "old", None),
        ]
    )
    assert results[0] is None and results[1] is None and results[2] is None
    assert [hit.key for hit in results[3]] == ["old"]  # type: ignore[union-attr]
    assert results[4] == [("b",)]
    assert store.get(("b",), "old") is None
    got = store.get(("b",), "new")
    assert got is not None and got.value == {"v": 2}


def test_async_twins(store: BaseStore) -> None:
    async def run() -> None:
        await store.aput(("as", "ann"), "k", {"v": 1})
        got = await store.aget(("as", "ann"), "k")
        assert got is not None and got.value == {"v": 1}
        assert [hit.key for hit in await store.asearch(("as",), filter={"v": 1})] == ["k"]
        assert await store.alist_namespaces(prefix=("as",)) == [("as", "ann")]
        results = await store.abatch([GetOp(("as", "ann"), "k"), PutOp(("as", "ann"), "j", {})])
        assert isinstance(results[0], Item) and results[1] is None
        await store.adelete(("as", "ann"), "k")
        assert await store.aget(("as", "ann"), "k") is None

    asyncio.run(run())
    assert store.get(("as", "ann"), "j") is not None


def test_ttl_expires_refreshes_and_sweeps(store: BaseStore, clock: Clock) -> None:
    store.put(("t",), "short", {"v": 1}, ttl=1)
    store.put(("t",), "read", {"v": 2}, ttl=1)
    store.put(("t",), "forever", {"v": 3})
    clock.advance(0.75)
    assert store.get(("t",), "read") is not None  # restarts its minute
    assert store.get(("t",), "short", refresh_ttl=False) is not None
    clock.advance(0.5)
    assert store.get(("t",), "short") is None
    assert sorted(hit.key for hit in store.search(("t",))) == ["forever", "read"]
    assert store.list_namespaces() == [("t",)]
    assert sweep(store) == 1  # "short": expired, not yet deleted
    clock.advance(2)
    assert store.get(("t",), "read") is None
    assert sweep(store) == 1
    assert [hit.key for hit in store.search(("t",))] == ["forever"]
    assert sweep(store) == 0


def test_default_ttl_and_search_refresh(make_store: MakeStore, clock: Clock) -> None:
    store = make_store(ttl={"default_ttl": 1, "refresh_on_read": True})
    store.put(("d",), "k", {"v": 1})
    store.put(("d",), "keep", {"v": 2}, ttl=None)
    clock.advance(0.75)
    assert [hit.key for hit in store.search(("d",), filter={"v": 1})] == ["k"]
    clock.advance(0.75)
    assert store.get(("d",), "k", refresh_ttl=False) is not None  # search refreshed it
    clock.advance(0.75)
    assert store.get(("d",), "k") is None
    assert store.get(("d",), "keep") is not None


def test_bad_input_is_refused_before_anything_is_stored(store: BaseStore) -> None:
    with pytest.raises(InvalidNamespaceError, match="periods"):
        store.put(("a.b",), "k", {"v": 1})
    with pytest.raises(InvalidNamespaceError, match="empty"):
        store.put(("a", ""), "k", {"v": 1})
    with pytest.raises(InvalidNamespaceError, match="empty"):
        store.put((), "k", {"v": 1})
    with pytest.raises(InvalidNamespaceError, match="reserved"):
        store.put(("langgraph", "x"), "k", {"v": 1})
    with pytest.raises(InvalidNamespaceError, match="strings"):
        store.put(("a", 1), "k", {"v": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidNamespaceError, match="tuple"):
        store.put(["a"], "k", {"v": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidNamespaceError, match="periods"):
        store.search(("a.b",))
    with pytest.raises(InvalidNamespaceError):
        store.get(("a\x00",), "k")
    with pytest.raises(TypeError, match="dicts"):
        store.put(("a",), "k", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ttl"):
        store.put(("a",), "k", {"v": 1}, ttl=-5)
    with pytest.raises(TypeError):
        store.put(("a",), "k", {"v": 1}, tll=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="GetOp"):
        store.batch(["get"])  # type: ignore[list-item]
    with pytest.raises(InvalidNamespaceError):
        store.batch([PutOp(("ok",), "k", {"v": 1}), PutOp(("bad.label",), "k", {"v": 1})])
    assert store.list_namespaces() == []


def test_newest_page_of_a_narrow_prefix(
    store: BaseStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page not found among the store's newest items comes from the prefix's own range."""
    from cairngraph.store import _sql

    monkeypatch.setattr(_sql, "_RECENT", (1,))  # the newest 8 items, then the prefix
    for number in range(4):
        clock.advance(1)
        store.put(("rare",), f"r{number}", {"n": number})
    for number in range(12):
        clock.advance(1)
        store.put(("busy",), f"b{number}", {"n": number})
    newest_first = isinstance(store, SqlStore)  # the in-memory store keeps stored order
    rare = [hit.key for hit in store.search(("rare",), limit=3)]
    assert rare == (["r3", "r2", "r1"] if newest_first else ["r0", "r1", "r2"])
    busy = [hit.key for hit in store.search(("busy",), limit=3)]
    assert busy == (["b11", "b10", "b9"] if newest_first else ["b0", "b1", "b2"])
    some = [hit.key for hit in store.search(("rare",), filter={"n": {"$gte": 1}}, limit=2)]
    assert some == (["r3", "r2"] if newest_first else ["r1", "r2"])
    oldest_busy = store.search(("busy",), filter={"n": {"$lt": 2}})  # beyond the newest 8
    assert sorted(hit.key for hit in oldest_busy) == ["b0", "b1"]
    everything = [hit.key for hit in store.search((), limit=100)]
    assert len(everything) == 16
    assert [hit.key for hit in store.search((), limit=3, offset=13)] == everything[13:]


def test_many_threads_share_one_store(store: BaseStore) -> None:
    import threading

    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for number in range(15):
                store.put(("threads", f"w{worker}"), f"k{number}", {"n": number})
                assert store.get(("threads", f"w{worker}"), f"k{number}") is not None
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(worker,)) for worker in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert errors == []
    assert len(store.search(("threads",), limit=1000)) == 90
    assert len(store.list_namespaces(prefix=("threads",))) == 6
