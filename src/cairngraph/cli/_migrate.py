"""``cairn migrate``: show, then apply, the storage schema migrations a store is missing;
with ``--graph``, then the graph's state migrations (``_migrate_state.py``).

Invariants:

- The pending list is read with the store opened read-only (SQLite through a
  ``mode=ro`` URI, PostgreSQL in a read-only session); ``--dry-run`` stops
  there, so nothing is written.
- Applying is opening the store for writing, which migrates it in one
  transaction (SQLite: ``_schema.migrate``; PostgreSQL: ``setup()``, under an
  advisory lock), all or nothing.
- A store written by a newer cairngraph is refused (exit 3) and left as it is.
- With ``--graph``, the states are planned with the store opened read-only
  after the schema is current, and written only when no thread is refused.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import click

from cairngraph.checkpoint._migration import Migration, refuse_newer
from cairngraph.cli import _migrate_state
from cairngraph.cli._app import (
    EXIT_PROBLEMS,
    CliError,
    emit_json,
    graph_for,
    graph_spec,
    json_option,
    opened,
    store_options,
    store_url,
)
from cairngraph.cli._open import _read_only_url, open_saver, sqlite_path
from cairngraph.cli._store import progress
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
@click.option(
    "--graph",
    default=None,
    metavar="MODULE:ATTR",
    help="Also migrate each thread's latest checkpoint to this graph's state version.",
)
@click.option(
    "--wait",
    default=5.0,
    show_default=True,
    help="Seconds to wait for a run holding a thread (with --graph).",
)
@store_options
@json_option
def migrate(dry_run: bool, graph: str | None, wait: float, db: str | None, as_json: bool) -> None:
    """Bring the store's tables to this cairngraph's schema version, and with --graph its
    threads' state to the graph's state version.

    Lists the storage schema migrations the store is missing, then applies them
    in one transaction (with --dry-run, only lists them: the store is opened
    read-only). With --graph, each thread whose latest checkpoint is older than
    the graph's state version gets a new checkpoint holding its migrated state.

    Example: cairn --db data/jokes.db migrate --graph app.graphs:workflow --dry-run
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
    data: dict[str, Any] = {
        "from_version": state.current,
        "to_version": state.latest if applied or not state.pending else state.current,
        "latest": state.latest,
        "dry_run": dry_run,
        "applied": applied,
        "pending": [{"version": m.version, "name": m.name} for m in state.pending],
    }
    spec = graph_spec(graph)
    states: dict[str, Any] | None = None
    if spec is not None and not (dry_run and state.pending):
        states = _migrate_states(db, spec, own=graph is not None, dry_run=dry_run, wait=wait)
        if states is None:  # the group's --graph declares no version: the schema only
            spec = None
    if spec is not None:
        data["state"] = states
    if as_json:
        emit_json(data)
        if states is not None and states["counts"]["refused"]:
            raise click.exceptions.Exit(EXIT_PROBLEMS)
        return
    _print_schema(state, dry_run)
    if spec is not None and states is None:
        click.echo("state: planned once the schema migrations are applied (run without --dry-run)")
    elif states is not None:
        _print_states(states)
    if states is not None and states["counts"]["refused"]:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _print_schema(state: SchemaState, dry_run: bool) -> None:
    if not state.pending:
        click.echo(f"schema version {state.current}: up to date, nothing to do")
        return
    verb = "would apply" if dry_run else "applied"
    click.echo(f"schema version {state.current} -> {state.latest}: {verb}")
    for m in state.pending:
        click.echo(f"  {m.version}: {m.name}")


def _migrate_states(
    db: str | None, spec: str, *, own: bool, dry_run: bool, wait: float
) -> dict[str, Any] | None:
    """Plan (read-only), then unless ``dry_run`` write, the state migrations of every thread.

    None when the group's ``--graph`` (not ``migrate``'s own, ``own``) declares no state
    version: it is there to register types, and there is nothing to migrate to.
    """
    with opened(db, read_only=True) as saver, progress() as bar:
        graph = graph_for(spec, saver, required=True)
        if not own and graph.spec.versioning is None:
            return None
        versioning = _migrate_state.versioning_of(graph, spec)
        task = bar.add_task("reading each thread's latest checkpoint", total=None)
        planned = []
        for _count, item in _migrate_state.plan(saver, graph, versioning):
            planned.append(item)
            bar.advance(task)
    refused = [item for item in planned if item.action == "refused"]
    if refused:
        names = ", ".join(repr(item.thread_id) for item in refused[:6])
        names += ", ..." if len(refused) > 6 else ""
        raise CliError(
            f"{len(refused)} thread(s) cannot be migrated ({names}), so no state was migrated; "
            f"the first: {refused[0].reason}",
            EXIT_PROBLEMS,
        )
    todo = [item for item in planned if item.action == "migrate"]
    if todo and not dry_run:
        with opened(db, read_only=False) as saver, progress() as bar:
            graph = graph_for(spec, saver, required=True)
            task = bar.add_task("migrating threads", total=len(todo))
            done = _migrate_state.apply_all(
                saver, graph, versioning, todo, wait=wait, advance=lambda: bar.advance(task)
            )
        by_thread = {item.thread_id: item for item in done}
        planned = [by_thread.get(item.thread_id, item) for item in planned]
    counts: Counter[str] = Counter(str(item.action) for item in planned)
    return {
        "graph": spec,
        "to_version": versioning.version,
        "dry_run": dry_run,
        "counts": {action: counts[action] for action in _COUNTED},
        "threads": [
            item.as_json(versioning.version) for item in planned if item.action != "current"
        ],
    }


_COUNTED = ("migrate", "migrated", "current", "skipped", "busy", "refused")
"""``refused`` after the plan: a thread that changed between planning and writing."""


def _print_states(states: dict[str, Any]) -> None:
    counts = states["counts"]
    done = (
        f"{counts['migrate']} thread(s) to migrate"
        if states["dry_run"]
        else f"{counts['migrated']} thread(s) migrated"
    )
    extra = f", {counts['busy']} busy" if counts["busy"] else ""
    click.echo(
        f"state version {states['to_version']} of {states['graph']}: {done}, "
        f"{counts['current']} up to date, {counts['skipped']} skipped{extra}"
    )
    for item in states["threads"]:
        where = f"  {item['thread_id']}  {item['from_version']} -> {item['to_version']}"
        if item["action"] == "migrated":
            click.echo(f"{where}  migrated: {item['new_checkpoint_id']}")
        elif item["action"] == "migrate":
            click.echo(f"{where}  would migrate {item['checkpoint_id']}")
        else:
            click.echo(f"{where}  {item['action']}: {item['reason']}")
    if counts["busy"]:
        click.echo("busy threads were left as they are: run cairn migrate --graph again")
