"""Every stored payload is checked on read: a flipped byte, a forged record, a sealed
payload moved to another place or rolled back, a plaintext payload slipped into an
encrypted store: each is an error (CorruptDataError / DecryptionError), never a
different value, and ``verify()`` reports each bad row with its place.

The tests use the public API and plain SQL on the saver's own ``cairn_`` tables,
found at run time, so they hold whatever the tables' columns are.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ormsgpack
import psycopg
import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.serde.encrypted import EncryptedSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import CorruptDataError, DecryptionError
from cairngraph.types import Interrupt
from tests.checkpoint.corruption import (
    BOOKKEEPING,
    PLACES,
    SECRET,
    Cell,
    Checked,
    Mutation,
    check_message,
    check_read,
    check_report,
    config,
    flips,
    namespaces,
    populate,
    read_all,
    run_twice,
    sample,
)
from tests.postgres_server import fresh_schema, schema_url

SQLITE_MUTATIONS = 300
POSTGRES_MUTATIONS = 60
KEY = os.urandom(32)


def _sealed(**options: Any) -> EncryptedSerializer:
    return EncryptedSerializer(keys={"k1": KEY}, **options)


# -- SQLite plumbing ---------------------------------------------------------


def _sqlite_cells(path: Path) -> list[Cell]:
    """Every non-key TEXT/BLOB cell of every ``cairn_`` table (bookkeeping aside)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'cairn\\_%' "
                "ESCAPE '\\' ORDER BY name"
            )
            if row[0] not in BOOKKEEPING
        ]
        cells = []
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            names = [column[1] for column in info]
            keys = [column[1] for column in info if column[5]] or ["rowid"]
            select = ", ".join(f'"{n}"' for n in names)
            if keys == ["rowid"]:
                select = f"rowid, {select}"
                names = ["rowid", *names]
            for values in conn.execute(f'SELECT {select} FROM "{table}"'):
                row = dict(zip(names, values, strict=True))
                key = {k: row[k] for k in keys}
                for column, value in row.items():
                    if column not in keys and isinstance(value, bytes | str):
                        cells.append(Cell(table, key, column, value, row))
        return cells
    finally:
        conn.close()


def _sqlite_write(path: Path, cell: Cell, value: bytes | str) -> None:
    conn = sqlite3.connect(path)
    try:
        where = " AND ".join(f'"{k}" = ?' for k in cell.key)
        conn.execute(
            f'UPDATE "{cell.table}" SET "{cell.column}" = ? WHERE {where}',
            (value, *cell.key.values()),
        )
        conn.commit()
    finally:
        conn.close()


def _settle(path: Path) -> None:
    """Fold the WAL into the main file so that copying the file copies everything."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@contextmanager
def _opened(path: Path, serde: Any = None) -> Iterator[SqliteSaver]:
    saver = SqliteSaver(path, serde=serde)
    # A paused thread's pending write holds an Interrupt; a graph registers it when
    # compiled, a saver opened on its own needs it declared.
    saver.serde.register(Interrupt)  # type: ignore[attr-defined]
    try:
        yield saver
    finally:
        saver.close()


def _pristine(tmp_path: Path, serde: Any) -> tuple[Path, list[tuple[str, str]], dict[str, Any]]:
    path = tmp_path / "pristine.db"
    with _opened(path, serde) as saver:
        populate(saver)
        places = namespaces(saver)
        truth = read_all(saver, places)
        check_report(saver.verify(), "pristine store", None, rows=0)  # type: ignore[attr-defined]
    assert any(ns for _, ns in places), f"no subgraph namespace was saved: {places}"
    assert len({thread for thread, _ in places}) == 3, f"three threads expected: {places}"
    _settle(path)
    return path, places, truth


def _check_places(problem: Any, cell: Cell, what: str) -> None:
    """The problem's place matches the row's (where both say it; the flipped column aside)."""
    row = {**cell.row, "checkpoint_ns": cell.row.get("checkpoint_ns", cell.row.get("ns"))}
    for place in PLACES:
        said = getattr(problem, place)
        if said is not None and row.get(place) is not None and place != cell.column:
            assert said == row[place], (
                f"{what}: problem.{place}={said!r}, the row has {row[place]!r}"
            )


def _check_mutation(
    saver: BaseCheckpointSaver,
    places: list[tuple[str, str]],
    truth: dict[str, Any],
    mutation: Mutation,
) -> None:
    what = mutation.describe()
    error = check_read(saver, places, truth, what)
    report = saver.verify()  # type: ignore[attr-defined]
    if error is None and isinstance(mutation.cell.value, str) and report.ok:
        check_report(report, what, None, rows=0)
        return
    check_report(report, what, mutation.cell.table)
    _check_places(report.problems[0], mutation.cell, what)


def _flip_all_sqlite(tmp_path: Path, serde_factory: Any) -> int:
    path, places, truth = _pristine(tmp_path, serde_factory())
    cells = _sqlite_cells(path)
    assert {c.table for c in cells}, "no cairn_ table with TEXT/BLOB cells was found"
    mutations = sample([m for c in cells for m in flips(c)], SQLITE_MUTATIONS)
    copy = tmp_path / "mutated.db"
    for mutation in mutations:
        shutil.copy(path, copy)
        _sqlite_write(copy, mutation.cell, mutation.new)
        try:
            with _opened(copy, serde_factory()) as saver:
                _check_mutation(saver, places, truth, mutation)
        except Checked as error:  # opening the store may already refuse it
            check_message(error, mutation.describe())
    return len(mutations)


# -- 1, 2. A flipped byte anywhere -------------------------------------------


def test_sqlite_flipped_byte_is_an_error_or_nothing(tmp_path: Path) -> None:
    assert _flip_all_sqlite(tmp_path, lambda: None) > 50


def test_sqlite_encrypted_flipped_byte_is_an_error_or_nothing(tmp_path: Path) -> None:
    assert _flip_all_sqlite(tmp_path, _sealed) > 50


def _key_id_at(value: bytes | str) -> int:
    """Where the key id ``k1`` is in a stored cell, or -1."""
    return value.find(b"k1") if isinstance(value, bytes) else value.find("k1")


def _replace_byte(value: bytes | str, position: int, byte: int) -> bytes | str:
    """``value`` with the byte (or character) at ``position`` replaced by ``byte``."""
    if isinstance(value, bytes):
        return value[:position] + bytes((byte,)) + value[position + 1 :]
    return value[:position] + chr(byte) + value[position + 1 :]


def test_flipped_key_id_message_shows_no_bytes(tmp_path: Path) -> None:
    path, places, truth = _pristine(tmp_path, _sealed())
    sealed = [c for c in _sqlite_cells(path) if _key_id_at(c.value) >= 0]
    assert sealed, "no stored cell names the key id k1"
    copy = tmp_path / "mutated.db"
    for cell in sealed[:20]:
        position = _key_id_at(cell.value)
        for byte in (0x07, 0xFF):
            mutation = Mutation(cell, position, _replace_byte(cell.value, position, byte))
            shutil.copy(path, copy)
            _sqlite_write(copy, cell, mutation.new)
            with _opened(copy, _sealed()) as saver:
                error = check_read(saver, places, truth, mutation.describe())
                assert error is not None, f"{mutation.describe()}: a bad key id read fine"
                report = saver.verify()  # type: ignore[attr-defined]
                check_report(report, mutation.describe(), cell.table)


# -- 3. Forged records -------------------------------------------------------


FORGERIES = (ormsgpack.packb([1, 2, 3]), ormsgpack.packb({"v": 1}), ormsgpack.packb(None))


def _blob_cells(cells: list[Cell]) -> list[Cell]:
    """One row per (table, BLOB column)."""
    chosen: dict[tuple[str, str], Cell] = {}
    for cell in cells:
        if isinstance(cell.value, bytes):
            chosen.setdefault((cell.table, cell.column), cell)
    return list(chosen.values())


def _expect_corrupt(read: Any, what: str) -> CorruptDataError | DecryptionError:
    try:
        read()
    except Checked as error:
        check_message(error, what)
        return error
    except Exception as error:
        raise AssertionError(f"{what}: {type(error).__name__}: {error}") from error
    raise AssertionError(f"{what}: the forged payload was read without an error")


def test_sqlite_forged_payload_is_corrupt_data(tmp_path: Path) -> None:
    path, places, _ = _pristine(tmp_path, None)
    copy = tmp_path / "forged.db"
    cells = _blob_cells(_sqlite_cells(path))
    assert cells, "no BLOB column found"
    for cell in cells:
        for forged in FORGERIES:
            what = f"{cell.describe()} := {forged!r}"
            shutil.copy(path, copy)
            _sqlite_write(copy, cell, forged)
            with _opened(copy) as saver:
                error = _expect_corrupt(lambda s=saver: read_all(s, places), what)
                assert isinstance(error, CorruptDataError), f"{what}: {type(error).__name__}"
                check_report(saver.verify(), what, cell.table)  # type: ignore[attr-defined]


# -- 4. Encryption bound to its place (SQLite) -------------------------------


def _pairs(cells: list[Cell], thread_a: str, thread_b: str) -> list[tuple[Cell, Cell]]:
    """(source cell of A, target cell of B) per table and BLOB column, same channel if any."""
    pairs: dict[tuple[str, str], tuple[Cell, Cell]] = {}
    for b in cells:
        if not isinstance(b.value, bytes) or b.row.get("thread_id") != thread_b:
            continue
        for a in cells:
            if (
                a.table == b.table
                and a.column == b.column
                and a.row.get("thread_id") == thread_a
                and a.value != b.value
                and a.row.get("channel") == b.row.get("channel")
            ):
                pairs.setdefault((b.table, b.column), (a, b))
                break
    return list(pairs.values())


def _rollbacks(cells: list[Cell], thread: str) -> list[tuple[Cell, Cell]]:
    """(older cell, newer cell) of one thread, per table and BLOB column, same channel."""
    found: dict[tuple[str, str], tuple[Cell, Cell]] = {}
    mine = [c for c in cells if isinstance(c.value, bytes) and c.row.get("thread_id") == thread]
    for newer in mine:
        for older in mine:
            same_place = all(
                older.row.get(k) == newer.row.get(k) for k in ("channel", "ns", "task_id")
            )
            if (
                older.table == newer.table
                and older.column == newer.column
                and older.value != newer.value
                and same_place
                and str(list(older.key.values())) < str(list(newer.key.values()))
            ):
                found.setdefault((newer.table, newer.column), (older, newer))
    return list(found.values())


def _two_threads(tmp_path: Path) -> tuple[Path, list[tuple[str, str]], dict[str, Any]]:
    path = tmp_path / "sealed.db"
    with _opened(path, _sealed()) as saver:
        run_twice(saver, "thread-a")
        run_twice(saver, "thread-b")
        places = namespaces(saver)
        truth = read_all(saver, places)
    _settle(path)
    return path, places, truth


def _moved_is_refused(
    path: Path, places: list[tuple[str, str]], pairs: list[tuple[Cell, Cell]], kind: str
) -> None:
    assert pairs, f"no cells found to {kind}"
    copy = path.with_name("moved.db")
    for source, target in pairs:
        what = f"{kind}: {source.describe()} written into {target.describe()}"
        shutil.copy(path, copy)
        _sqlite_write(copy, target, source.value)
        with _opened(copy, _sealed()) as saver:
            _expect_corrupt(lambda s=saver: read_all(s, places), what)
            check_report(saver.verify(), what, target.table)  # type: ignore[attr-defined]


def test_sqlite_sealed_payload_moved_to_another_thread_is_refused(tmp_path: Path) -> None:
    path, places, _ = _two_threads(tmp_path)
    pairs = _pairs(_sqlite_cells(path), "thread-a", "thread-b")
    _moved_is_refused(path, places, pairs, "move to another thread")


def test_sqlite_sealed_payload_rolled_back_is_refused(tmp_path: Path) -> None:
    path, places, _ = _two_threads(tmp_path)
    pairs = _rollbacks(_sqlite_cells(path), "thread-a")
    _moved_is_refused(path, places, pairs, "roll back")


def _file_bytes(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    found = path.read_bytes()
    for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        if extra.exists():
            found += extra.read_bytes()
    return found


def test_sqlite_plaintext_in_an_encrypted_store_and_reseal(tmp_path: Path) -> None:
    path = tmp_path / "mixed.db"
    with _opened(path) as plain:
        populate(plain)
        places = namespaces(plain)
        truth = read_all(plain, places)
    with _opened(path, _sealed(allow_plaintext=False)) as strict:
        with pytest.raises(DecryptionError, match="allow_plaintext") as refused:
            read_all(strict, places)
        check_message(refused.value, "plaintext refused")
        assert strict.verify().ok is False  # type: ignore[attr-defined]
    with _opened(path, _sealed(allow_plaintext=True)) as lenient:
        assert read_all(lenient, places) == truth
        lenient.reseal()  # type: ignore[attr-defined]
        assert read_all(lenient, places) == truth
    with _opened(path, _sealed(allow_plaintext=False)) as strict:
        assert read_all(strict, places) == truth, "resealed payloads read differently"
        check_report(strict.verify(), "after reseal", None, rows=0)  # type: ignore[attr-defined]
    assert SECRET.encode() not in _file_bytes(path), "a plaintext value survived reseal()"


def test_sqlite_key_rotation_by_reseal(tmp_path: Path) -> None:
    path = tmp_path / "rotate.db"
    new = os.urandom(32)
    with _opened(path, _sealed(allow_plaintext=False)) as old:
        populate(old)
        places = namespaces(old)
        truth = read_all(old, places)
    both = EncryptedSerializer(keys={"k2": new, "k1": KEY}, active_key_id="k2")
    with _opened(path, both) as rotating:
        rotating.reseal()  # type: ignore[attr-defined]
    only_new = EncryptedSerializer(keys={"k2": new}, allow_plaintext=False)
    with _opened(path, only_new) as saver:
        assert read_all(saver, places) == truth, "a payload still needs the old key"
        check_report(saver.verify(), "after rotation", None, rows=0)  # type: ignore[attr-defined]


# -- PostgreSQL --------------------------------------------------------------


@contextmanager
def _postgres(serde: Any = None) -> Iterator[tuple[PostgresSaver, psycopg.Connection[Any]]]:
    """A saver in a fresh schema, and a raw connection to that schema for tampering."""
    with fresh_schema() as (url, schema):
        address = schema_url(url, schema)
        with (
            PostgresSaver.from_conn_string(address, serde=serde) as saver,
            psycopg.connect(address, autocommit=True) as conn,
        ):
            saver.setup()
            yield saver, conn


def _pg_cells(conn: psycopg.Connection[Any]) -> list[Cell]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_name LIKE 'cairn\\_%' ORDER BY table_name"
        )
        if row[0] not in BOOKKEEPING
    ]
    cells = []
    for table in tables:
        keys = [
            row[0]
            for row in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass "
                "AND i.indisprimary",
                (table,),
            )
        ]
        assert keys, f"{table} has no primary key to address its rows by"
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        names = [d.name for d in cursor.description or ()]
        types = {d.name: d.type_code for d in cursor.description or ()}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            key = {k: row[k] for k in keys}
            for column, value in row.items():
                if column in keys or types[column] not in (17, 25, 1043):  # bytea, text, varchar
                    continue
                if isinstance(value, memoryview):
                    value = bytes(value)
                if isinstance(value, bytes | str):
                    cells.append(Cell(table, key, column, value, row))
    return cells


def _pg_write(conn: psycopg.Connection[Any], cell: Cell, value: bytes | str) -> None:
    where = " AND ".join(f'"{k}" = %s' for k in cell.key)
    conn.execute(
        f'UPDATE "{cell.table}" SET "{cell.column}" = %s WHERE {where}',
        (value, *cell.key.values()),
    )


def test_postgres_flipped_byte_is_an_error_or_nothing() -> None:
    with _postgres() as (saver, conn):
        populate(saver)
        places = namespaces(saver)
        truth = read_all(saver, places)
        check_report(saver.verify(), "pristine schema", None, rows=0)  # type: ignore[attr-defined]
        cells = _pg_cells(conn)
        assert cells, "no cairn_ table with TEXT/BYTEA cells was found"
        mutations = sample([m for c in cells for m in flips(c)], POSTGRES_MUTATIONS)
        for mutation in mutations:
            _pg_write(conn, mutation.cell, mutation.new)
            try:
                _check_mutation(saver, places, truth, mutation)
            finally:
                _pg_write(conn, mutation.cell, mutation.cell.value)
        assert read_all(saver, places) == truth
        check_report(saver.verify(), "restored schema", None, rows=0)  # type: ignore[attr-defined]


def test_postgres_forged_payload_is_corrupt_data() -> None:
    with _postgres() as (saver, conn):
        populate(saver)
        places = namespaces(saver)
        cells = _blob_cells(_pg_cells(conn))
        assert cells, "no BYTEA column found"
        for cell in cells:
            for forged in FORGERIES:
                what = f"{cell.describe()} := {forged!r}"
                _pg_write(conn, cell, forged)
                try:
                    error = _expect_corrupt(lambda: read_all(saver, places), what)
                    assert isinstance(error, CorruptDataError), f"{what}: {type(error).__name__}"
                    check_report(saver.verify(), what, cell.table)  # type: ignore[attr-defined]
                finally:
                    _pg_write(conn, cell, cell.value)


def _pg_moved_is_refused(
    saver: PostgresSaver,
    conn: psycopg.Connection[Any],
    places: list[tuple[str, str]],
    pairs: list[tuple[Cell, Cell]],
    kind: str,
) -> None:
    assert pairs, f"no cells found to {kind}"
    for source, target in pairs:
        what = f"{kind}: {source.describe()} written into {target.describe()}"
        _pg_write(conn, target, source.value)
        try:
            _expect_corrupt(lambda: read_all(saver, places), what)
            check_report(saver.verify(), what, target.table)  # type: ignore[attr-defined]
        finally:
            _pg_write(conn, target, target.value)


def test_postgres_sealed_payload_bound_to_its_place() -> None:
    with _postgres(_sealed()) as (saver, conn):
        run_twice(saver, "thread-a")
        run_twice(saver, "thread-b")
        places = namespaces(saver)
        truth = read_all(saver, places)
        cells = _pg_cells(conn)
        moved = _pairs(cells, "thread-a", "thread-b")
        _pg_moved_is_refused(saver, conn, places, moved, "move to another thread")
        _pg_moved_is_refused(saver, conn, places, _rollbacks(cells, "thread-a"), "roll back")
        assert read_all(saver, places) == truth


# -- 6. InMemorySaver --------------------------------------------------------


def test_memory_saver_verify_on_a_healthy_saver() -> None:
    saver = InMemorySaver()
    populate(saver)
    check_report(saver.verify(), "InMemorySaver", None, rows=0)  # type: ignore[attr-defined]
    assert read_all(saver, namespaces(saver))["*"], "the memory saver holds nothing"
    assert saver.get_tuple(config("thread-plain-1")) is not None
