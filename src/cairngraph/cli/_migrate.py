"""``cairn migrate``: show, then apply, the storage schema migrations a store is missing.

Invariants:

- The pending list is read with the store opened read-only (SQLite through a
  ``mode=ro`` URI, PostgreSQL in a read-only session); ``--dry-run`` stops
  there, so nothing is written.
- Applying is opening the store for writing, which migrates it in one
  transaction (SQLite: ``_schema.migrate``; PostgreSQL: ``setup()``, under an
  advisory lock), all or nothing.
- A store written by a newer cairngraph is refused (exit 3) and left as it is.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from urllib.parse import quote

import click

from cairngraph.checkpoint._migration import Migration, refuse_newer
from cairngraph.cli._app import emit_json, json_option, store_options, store_url
from cairngraph.cli._open import _read_only_url, open_saver, sqlite_path
from cairngraph.errors import StorageError

__all__ = ["migrate"]


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a store's tables are, and the migrations this cairngraph has past it."""

    current: int
    latest: int
    pending: tuple[Migration, ...]


def _sqlite_state(path: str) -> SchemaState:
    from cairngraph.checkpoint.sqlite import _schema

    if not os.path.exists(path):
        raise StorageError(f"store {path} does not exist: check --db (migrate never creates one)")
    try:
        uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            current = _schema.version(conn)
    except sqlite3.Error as error:
        raise StorageError(
            f"store {path} cannot be read as SQLite ({error}); check --db"
        ) from error
    refuse_newer(current, _schema.LATEST, path, "Upgrade cairngraph to migrate it")
    return _state(current, _schema.MIGRATIONS)


def _postgres_state(url: str) -> SchemaState:
    import psycopg

    from cairngraph.checkpoint.postgres import _schema

    try:
        with psycopg.connect(_read_only_url(url), connect_timeout=5) as conn:
            found = conn.execute("SELECT to_regclass('cairn_schema') IS NOT NULL").fetchone()
            current = 0
            if found and found[0]:
                row = conn.execute("SELECT coalesce(max(version), 0) FROM cairn_schema").fetchone()
                current = int(row[0]) if row else 0
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StorageError(
            f"cannot read the schema version of the database ({reason}); check --db"
        ) from error
    refuse_newer(current, _schema.LATEST, "the database", "Upgrade cairngraph to migrate it")
    return _state(current, _schema.MIGRATIONS)


def _state(current: int, migrations: tuple[Migration, ...]) -> SchemaState:
    pending = tuple(m for m in migrations if m.version > current)
    return SchemaState(current, migrations[-1].version, pending)


def schema_state(url: str) -> SchemaState:
    """The schema state of the store ``url`` names, read without writing."""
    path = sqlite_path(url)
    return _postgres_state(url) if path is None else _sqlite_state(path)


@click.command()
@click.option("--dry-run", is_flag=True, help="List the pending migrations; change nothing.")
@store_options
@json_option
def migrate(dry_run: bool, db: str | None, as_json: bool) -> None:
    """Bring the store's tables to this cairngraph's schema version.

    Lists the storage schema migrations the store is missing, then applies them
    in one transaction (with --dry-run, only lists them: the store is opened
    read-only).

    Example: cairn --db data/jokes.db migrate --dry-run
    """
    url = store_url(db)
    state = schema_state(url)
    applied = bool(state.pending) and not dry_run
    if applied:
        with open_saver(url, read_only=False):
            pass  # opening for writing migrates, all or nothing
        after = schema_state(url)
        if after.pending:
            raise StorageError(f"store still at schema version {after.current}; run cairn verify")
    data = {
        "from_version": state.current,
        "to_version": state.latest if applied or not state.pending else state.current,
        "latest": state.latest,
        "dry_run": dry_run,
        "applied": applied,
        "pending": [{"version": m.version, "name": m.name} for m in state.pending],
    }
    if as_json:
        emit_json(data)
        return
    if not state.pending:
        click.echo(f"schema version {state.current}: up to date, nothing to do")
        return
    verb = "would apply" if dry_run else "applied"
    click.echo(f"schema version {state.current} -> {state.latest}: {verb}")
    for m in state.pending:
        click.echo(f"  {m.version}: {m.name}")
