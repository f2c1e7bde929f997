"""The cache contract, run against every cache: memory, SQLite file, SQLite ``:memory:``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cairngraph.cache import BaseCache, InMemoryCache, SqliteCache
from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry
from cairngraph.errors import InvalidCacheEntryError, UnregisteredTypeError


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass(frozen=True)
class Summary:
    text: str
    words: int


def serde() -> MsgpackSerializer:
    made = MsgpackSerializer(TypeRegistry())
    made.register(Summary)
    return made


CACHES: dict[str, Callable[[Path, Clock], BaseCache[Any]]] = {
    "memory": lambda tmp, clock: InMemoryCache(serde=serde(), clock=clock),
    "sqlite-file": lambda tmp, clock: SqliteCache(tmp / "cache.db", serde=serde(), clock=clock),
    "sqlite-memory": lambda tmp, clock: SqliteCache(":memory:", serde=serde(), clock=clock),
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=sorted(CACHES))
def cache(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[BaseCache[Any]]:
    made = CACHES[request.param](tmp_path, clock)
    yield made
    if isinstance(made, SqliteCache):
        made.close()


NS = ("writes", "summarize")
KEY = (NS, "input-1")


def test_a_missing_key_is_left_out(cache: BaseCache[Any]) -> None:
    assert cache.get([KEY]) == {}
    assert cache.get([]) == {}


def test_values_round_trip_exactly(cache: BaseCache[Any]) -> None:
    value = [("summary", Summary("short", 1)), ("at", dt.datetime(2026, 12, 2, tzinfo=dt.UTC))]
    other = (NS, "input-2")
    cache.set({KEY: (value, None), other: ({"n": {1, 2}}, 60)})
    assert cache.get([KEY, other, (NS, "absent")]) == {KEY: value, other: {"n": {1, 2}}}


def test_what_get_returns_is_a_copy(cache: BaseCache[Any]) -> None:
    value = {"rows": [1]}
    cache.set({KEY: (value, None)})
    value["rows"].append(2)
    cache.get([KEY])[KEY]["rows"].append(3)
    assert cache.get([KEY]) == {KEY: {"rows": [1]}}


def test_set_replaces(cache: BaseCache[Any]) -> None:
    cache.set({KEY: ("old", None)})
    cache.set({KEY: ("new", None)})
    assert cache.get([KEY]) == {KEY: "new"}


def test_namespaces_keep_keys_apart(cache: BaseCache[Any]) -> None:
    cache.set(
        {
            (("a", "b"), "k"): (1, None),
            (("a,b",), "k"): (2, None),
            (("a",), "k"): (3, None),
            ((), "k"): (4, None),
        }
    )
    found = cache.get([(("a", "b"), "k"), (("a,b",), "k"), (("a",), "k"), ((), "k")])
    assert list(found.values()) == [1, 2, 3, 4]


def test_keys_may_be_lists_and_come_back_as_tuples(cache: BaseCache[Any]) -> None:
    cache.set({KEY: ("v", None)})
    assert cache.get([[list(NS), "input-1"]]) == {KEY: "v"}  # type: ignore[list-item]


def test_ttl_expires_by_the_clock(cache: BaseCache[Any], clock: Clock) -> None:
    forever = (NS, "forever")
    cache.set({KEY: ("brief", 10), forever: ("kept", None)})
    clock.now += 9.999
    assert cache.get([KEY, forever]) == {KEY: "brief", forever: "kept"}
    clock.now += 0.001
    assert cache.get([KEY, forever]) == {forever: "kept"}
    clock.now += 10**9
    assert cache.get([forever]) == {forever: "kept"}


def test_an_expired_entry_can_be_set_again(cache: BaseCache[Any], clock: Clock) -> None:
    cache.set({KEY: ("first", 1)})
    clock.now += 5
    assert cache.get([KEY]) == {}
    cache.set({KEY: ("second", 1.5)})
    assert cache.get([KEY]) == {KEY: "second"}


def test_a_zero_ttl_is_never_a_hit(cache: BaseCache[Any]) -> None:
    cache.set({KEY: ("gone", 0)})
    assert cache.get([KEY]) == {}


def test_clear_by_namespace_removes_exactly_those(cache: BaseCache[Any]) -> None:
    keep, child = (("writes", "other"), "k"), ((*NS, "child"), "k")
    cache.set({KEY: (1, None), keep: (2, None), child: (3, None)})
    cache.clear([NS, ("never", "written")])
    assert cache.get([KEY, keep, child]) == {keep: 2, child: 3}
    cache.clear([])
    cache.clear(())
    assert cache.get([keep, child]) == {keep: 2, child: 3}


def test_clear_with_no_namespaces_removes_everything(cache: BaseCache[Any]) -> None:
    other = (("elsewhere",), "k")
    cache.set({KEY: (1, None), other: (2, None)})
    cache.clear()
    assert cache.get([KEY, other]) == {}


def test_clear_refuses_a_lone_namespace(cache: BaseCache[Any]) -> None:
    cache.set({KEY: (1, None)})
    with pytest.raises(InvalidCacheEntryError, match=r"clear\(\[\("):
        cache.clear(NS)  # type: ignore[arg-type]
    assert cache.get([KEY]) == {KEY: 1}


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ({("writes", "k"): ("v", None)}, "must be a tuple of strings"),
        ({(NS, 3): ("v", None)}, "must be \\(namespace, key\\)"),
        ({"k": ("v", None)}, "must be \\(namespace, key\\)"),
        ({KEY: "v"}, "must be \\(value, ttl\\)"),
        ({KEY: ("v", -1)}, "ttl -1"),
        ({KEY: ("v", "60")}, "ttl '60'"),
        ({KEY: ("v", True)}, "ttl True"),
        ({KEY: ("v", float("nan"))}, "ttl nan"),
    ],
    ids=["namespace", "key", "flat-key", "no-ttl", "negative", "text", "bool", "nan"],
)
def test_a_bad_entry_is_refused_and_nothing_is_written(
    cache: BaseCache[Any], pairs: dict[Any, Any], message: str
) -> None:
    good = (NS, "good")
    with pytest.raises(InvalidCacheEntryError, match=message):
        cache.set({good: ("v", None), **pairs})
    assert cache.get([good]) == {}


def test_an_unregistered_value_is_refused_and_nothing_is_written(cache: BaseCache[Any]) -> None:
    class Unknown:
        pass

    good = (NS, "good")
    with pytest.raises(UnregisteredTypeError, match="Unknown cannot be saved"):
        cache.set({good: ("v", None), KEY: (Unknown(), None)})
    assert cache.get([good]) == {}


def test_a_bad_key_in_get_is_refused(cache: BaseCache[Any]) -> None:
    with pytest.raises(InvalidCacheEntryError):
        cache.get([("writes", "k")])  # type: ignore[list-item]


async def test_async_twins(cache: BaseCache[Any], clock: Clock) -> None:
    other = (("elsewhere",), "k")
    await cache.aset({KEY: ({"a": 1}, 5), other: ("x", None)})
    assert await cache.aget([KEY, other]) == {KEY: {"a": 1}, other: "x"}
    clock.now += 5
    assert await cache.aget([KEY]) == {}
    await cache.aclear([("elsewhere",)])
    assert await cache.aget([other]) == {}
    await cache.aset({KEY: (1, None)})
    await cache.aclear()
    assert await cache.aget([KEY]) == {}


def test_threads_share_one_cache(cache: BaseCache[Any]) -> None:
    errors: list[BaseException] = []
    shared = (("shared",), "k")

    def work(worker: int) -> None:
        try:
            for step in range(40):
                own = (("worker", str(worker)), str(step))
                cache.set({own: ((worker, step), None), shared: (worker, None)})
                assert cache.get([own]) == {own: (worker, step)}
                assert cache.get([shared])[shared] in range(8)
                if step % 10 == 9:
                    cache.clear([("worker", str(worker))])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get([shared])[shared] in range(8)


@pytest.mark.parametrize("name", sorted(CACHES))
def test_a_constructor_typo_is_a_type_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="serializer"):
        if name == "memory":
            InMemoryCache(serializer=serde())  # type: ignore[call-arg]
        else:
            SqliteCache(tmp_path / "x.db", serializer=serde())  # type: ignore[call-arg]
