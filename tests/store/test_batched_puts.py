"""A batch's puts written together (``store/_write.py``): on every store, the same result as
one put at a time; on the SQL stores, atomic however many statements it takes."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from cairngraph.checkpoint.postgres._statements import Atomic, Query, Stepper
from cairngraph.errors import SerializationError, StorageError
from cairngraph.store import _plan, _sql
from cairngraph.store._codec import ValueCodec
from cairngraph.store._embed import Index
from cairngraph.store._write import Backend
from cairngraph.store.base import BaseStore, GetOp, IndexConfig, PutOp
from cairngraph.store.postgres import PostgresStore, numbered
from cairngraph.store.sqlite import SqliteStore
from tests.postgres_server import fresh_schema, schema_url
from tests.store.conftest import Clock, MakeStore

BIG = 10_000
"""Puts in one batch: more parameters than one statement takes on PostgreSQL (65,535), at 7
per item upserted; the SQLite stores' limit is lowered to :data:`SQLITE_LIMIT` for the test."""
SQLITE_LIMIT = 999


def _limit_sqlite(store: BaseStore) -> None:
    """Lower a SQLite store's parameters per statement (SQLite's own limit, enforced by it)."""
    conn = getattr(store, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_LIMIT)


def words(texts: Sequence[str]) -> list[list[float]]:
    """A deterministic embedding: counts of three words, plus a constant."""
    return [[float(text.count(w)) for w in ("cat", "dog", "fish")] + [0.1] for text in texts]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def similarity(query: str, text: str) -> float:
    return cosine(words([query])[0], words([text])[0])


def _value(store: BaseStore, namespace: tuple[str, ...], key: str) -> object:
    item = store.get(namespace, key)
    return None if item is None else item.value


def test_one_batch_of_puts_and_deletes_ends_as_the_puts_one_by_one(
    store: BaseStore, clock: Clock
) -> None:
    store.put(("b",), "kept", {"v": 0})
    store.put(("b",), "gone", {"v": 0})
    store.put(("b",), "stale", {"v": 0}, ttl=1)
    first = store.get(("b",), "kept")
    assert first is not None
    clock.advance(2)  # "stale" has expired, not yet swept
    store.batch(
        [
            PutOp(("b",), "kept", {"v": 1}),
            PutOp(("b", "x"), "new", {"v": 1}, ttl=5),
            PutOp(("b",), "gone", None),
            PutOp(("b",), "twice", {"v": 1}),
            PutOp(("b",), "put-then-deleted", {"v": 1}),
            PutOp(("b",), "stale", {"v": 1}),
            PutOp(("b",), "twice", {"v": 2}),
            PutOp(("b",), "put-then-deleted", None),
            PutOp(("b",), "deleted-then-put", None),
            PutOp(("b",), "deleted-then-put", {"v": 3}),
        ]
    )
    assert _value(store, ("b",), "kept") == {"v": 1}
    assert _value(store, ("b", "x"), "new") == {"v": 1}
    assert _value(store, ("b",), "gone") is None
    assert _value(store, ("b",), "twice") == {"v": 2}
    assert _value(store, ("b",), "put-then-deleted") is None
    assert _value(store, ("b",), "deleted-then-put") == {"v": 3}
    kept, stale = store.get(("b",), "kept"), store.get(("b",), "stale")
    assert kept is not None and stale is not None
    assert kept.created_at == first.created_at and kept.updated_at > first.updated_at
    assert stale.created_at == stale.updated_at  # an expired item written again starts anew
    clock.advance(6)  # past "new"'s TTL; the others have none
    assert store.get(("b", "x"), "new") is None
    assert sorted(hit.key for hit in store.search(("b",))) == [
        "deleted-then-put",
        "kept",
        "stale",
        "twice",
    ]


def test_a_batch_larger_than_one_statement_lands_whole(store: BaseStore) -> None:
    _limit_sqlite(store)
    store.batch([PutOp(("big", f"u{i % 7}"), f"k{i}", {"n": i}) for i in range(BIG)])
    found = store.search(("big",), limit=BIG + 1)
    assert len(found) == BIG
    assert {hit.key: hit.value["n"] for hit in found} == {f"k{i}": i for i in range(BIG)}
    store.batch([PutOp(("big", f"u{i % 7}"), f"k{i}", None) for i in range(0, BIG, 2)])
    assert sorted(int(hit.key[1:]) for hit in store.search(("big",), limit=BIG)) == list(
        range(1, BIG, 2)
    )


def test_a_value_that_cannot_be_stored_fails_the_batch_before_any_write(
    make_store: MakeStore,
) -> None:
    store = make_store()
    if not hasattr(store, "serde"):
        pytest.skip("the memory store keeps values without serializing them")

    class Odd:
        pass

    with pytest.raises(SerializationError, match="'bad'"):
        store.batch([PutOp(("s",), "good", {"v": 1}), PutOp(("s",), "bad", {"v": Odd()})])
    assert store.get(("s",), "good") is None


def test_vectors_of_a_batch_are_replaced_per_item(make_store: MakeStore) -> None:
    index: IndexConfig = {"embed": words, "dims": 4, "fields": ["text", "title"]}
    store = make_store(index=index)
    store.batch(
        [
            PutOp(("v",), "a", {"text": "cat", "title": "dog dog"}),
            PutOp(("v",), "b", {"text": "dog"}),
            PutOp(("v",), "c", {"text": "fish"}),
        ]
    )
    store.batch(
        [
            PutOp(("v",), "a", {"text": "fish"}),  # its "title" vector must go
            PutOp(("v",), "b", None),
            PutOp(("v",), "c", {"text": "cat"}, index=False),  # no vector any more
        ]
    )
    hits = store.search(("v",), query="dog", limit=5)
    assert [hit.key for hit in hits] == ["a", "c"]
    assert hits[0].score == pytest.approx(similarity("dog", "fish"), abs=1e-6)
    assert hits[1].score is None


def test_an_item_with_more_vectors_than_a_statement_holds(make_store: MakeStore) -> None:
    store = make_store(index={"embed": words, "dims": 4, "fields": ["tags[*]"]})
    tags = ["fish"] * 9_999 + ["cat"]  # 7 parameters a vector: more than 65,535
    store.put(("t",), "many", {"tags": tags})
    store.put(("t",), "dog", {"tags": ["dog"]})
    (hit, other) = store.search(("t",), query="cat", limit=2)
    assert (hit.key, other.key) == ("many", "dog")
    assert hit.score == pytest.approx(1.0, abs=1e-6)
    store.put(("t",), "many", {"tags": ["fish fish", "dog dog"]})  # the "cat" vector must go
    hit = store.search(("t",), query="cat", limit=1)[0]
    assert hit.key == "dog" and hit.score == pytest.approx(similarity("cat", "dog"), abs=1e-6)


# -- atomic on the SQL stores, however many statements -----------------------------------


@contextmanager
def _sqlite_refusing(tmp_path: Path, key: str) -> Iterator[BaseStore]:
    path = tmp_path / "store.db"
    with SqliteStore.from_conn_string(path) as store:
        store.setup()
        _limit_sqlite(store)
        conn = sqlite3.connect(path)
        conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON cairn_store_items WHEN NEW.key = '{key}' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
        conn.commit()
        conn.close()
        yield store


@contextmanager
def _postgres_refusing(tmp_path: Path, key: str) -> Iterator[BaseStore]:
    with (
        fresh_schema() as (url, schema),
        PostgresStore.from_conn_string(schema_url(url, schema)) as store,
    ):
        store.setup()
        with psycopg.connect(schema_url(url, schema), autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by a trigger'; END $$"
            )
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON cairn_store_items FOR EACH ROW "
                f"WHEN (NEW.key = '{key}') EXECUTE FUNCTION refuse()"
            )
        yield store


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_batch_failing_in_its_last_statement_writes_nothing(backend: str, tmp_path: Path) -> None:
    opener = _sqlite_refusing if backend == "sqlite" else _postgres_refusing
    with opener(tmp_path, "boom") as store:
        store.put(("f",), "before", {"v": 0})
        puts = [PutOp(("f",), f"k{i}", {"v": i}) for i in range(BIG)]
        puts.append(PutOp(("f",), "boom", {"v": -1}))
        puts.append(PutOp(("f",), "before", None))
        with pytest.raises((StorageError, psycopg.Error), match="refused by a trigger"):
            store.batch(puts)
        assert [hit.key for hit in store.search(("f",), limit=BIG)] == ["before"]
        store.put(("f",), "after", {"v": 1})  # the store goes on
        assert _value(store, ("f",), "after") == {"v": 1}


# -- how many statements and transactions a batch takes ---------------------------------


def _statements(one_statement_puts: bool, indexed: bool, ops: list[PutOp | GetOp]) -> list[object]:
    """What ``run_batch`` yields for ``ops``: Atomic first if any, then each statement."""
    index = Index.of({"embed": words, "dims": 4, "fields": ["text"]}) if indexed else None
    backend = Backend(ValueCodec(None), indexed, False, one_statement_puts, 65_535)
    planned = _plan.plan(ops, index)
    operation = _sql.run_batch(backend, planned, _plan.embed(planned, index), _plan.now_us())
    stepper = Stepper(operation)
    seen: list[object] = [Atomic()] if stepper.atomic else []
    while (statement := stepper.statement) is not None:
        seen.append(statement)
        stepper.reply([] if isinstance(statement, Query) and statement.fetch == "all" else None)
    return seen


def _puts(count: int) -> list[PutOp | GetOp]:
    ops: list[PutOp | GetOp] = [PutOp(("n",), f"k{i}", {"text": "cat"}) for i in range(count)]
    ops.append(PutOp(("n",), "old", None))
    return ops


@pytest.mark.parametrize("indexed", [False, True])
def test_on_postgresql_puts_alone_are_one_statement_and_no_transaction(indexed: bool) -> None:
    assert len(_statements(True, indexed, _puts(0))) == 1  # a lone delete
    assert len(_statements(True, indexed, [PutOp(("n",), "k", {"text": "dog"})])) == 1
    (statement,) = _statements(True, indexed, _puts(500))
    assert isinstance(statement, Query) and len(statement.params) <= 65_535
    with_read = _statements(True, indexed, [GetOp(("n",), "k"), *_puts(2)])
    assert isinstance(with_read[0], Atomic) and len(with_read) == 3


def test_on_sqlite_a_batch_is_one_statement_per_kind_in_one_transaction() -> None:
    assert len(_statements(False, False, [PutOp(("n",), "k", {})])) == 1  # autocommit
    kinds = _statements(False, False, _puts(500))  # the deletes, then the upserts
    assert isinstance(kinds[0], Atomic) and len(kinds) == 3
    indexed = _statements(False, True, _puts(500))  # vectors deleted, then inserted
    assert isinstance(indexed[0], Atomic) and len(indexed) == 5


def test_numbered_placeholders() -> None:
    assert numbered("SELECT %s, %s FROM t WHERE a = %s") == "SELECT $1, $2 FROM t WHERE a = $3"
    assert numbered("SELECT 1") == "SELECT 1"
    with pytest.raises(ValueError, match="not a placeholder"):
        numbered("SELECT %s WHERE a LIKE 'x%'")


@pytest.mark.parametrize("one_statement_puts", [True, False])
def test_puts_are_written_in_key_order_whatever_the_batch_order(one_statement_puts: bool) -> None:
    """One lock order for every writer: concurrent multi-row puts cannot deadlock."""
    ops: list[PutOp | GetOp] = [
        PutOp(("b",), "2", {"v": 1}),
        PutOp(("a",), "9", {"v": 1}),
        PutOp(("b",), "1", {"v": 1}),
        PutOp(("a",), "10", {"v": 1}),
    ]
    (upsert,) = [
        statement
        for statement in _statements(one_statement_puts, False, ops)
        if isinstance(statement, Query)
    ]
    keys = [(upsert.params[at], upsert.params[at + 1]) for at in range(0, len(upsert.params), 7)]
    assert keys == [("a", "10"), ("a", "9"), ("b", "1"), ("b", "2")]
