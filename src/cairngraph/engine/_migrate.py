"""Migrating a checkpoint written with an older state schema version, on load.

A graph built with ``StateGraph(State, version=3, migrations={1: f, 2: g})``
carries a :class:`StateVersioning`; every checkpoint it writes records
``state_version`` and ``graph_fingerprint`` in its metadata. A graph that
declares no version has none, records nothing extra (its metadata is exactly
LangGraph's) and pays nothing on load.

Invariants:

- A checkpoint without the stamp (``graph_fingerprint``) was written with
  version 1, and a graph that declares no version is at version 1.
- Loading runs the migrations ``stored, stored+1, ..., version-1`` in order on
  a copy of the checkpoint's state values, in memory, before anything reads
  them. What is stored is never changed by reading; the next checkpoint a run
  or ``update_state`` writes stores the migrated values (every state key is
  given a new version, so no older, unmigrated blob is referenced again) and
  the graph's version.
- A checkpoint newer than the graph, or one no migration leads from, is
  refused with :class:`~cairngraph.errors.StateVersionError`: it is never
  loaded with fields silently dropped.

Pending writes (a step cut short by a crash, an error or an interrupt) are
not state values, and a migration cannot be applied to them: it takes a
whole state. On a checkpoint older than the graph, so:

- a task that had finished (its saved writes hold channel writes, the old
  code's output) runs again, on the migrated state, under a *rerun id*
  derived from its id and the graph's version (:func:`rerun_id`): the old
  writes stay stored under its old id, and what it writes now is saved under
  the new one, so neither is mistaken for the other. What it started (its
  ``@task`` calls, its subgraph) runs again with it, as their ids follow it;
- what does not depend on the state's shape is kept under the ids it was
  saved with: a task's answers (``__resume__``, also moved to its rerun id),
  the interrupts it waits on (so the interrupt ids a client holds, and an
  interrupted subgraph's namespace, still match), its error, the results of
  ``@task`` calls of a task that did not finish, and an answer given with
  ``Command(resume=...)`` (the write of no task);
- writes the graph's own code saved on such a checkpoint carry
  ``__state_version__`` (:data:`VERSION_WRITE`): a task whose writes carry
  the graph's version keeps them; a higher version is refused like a newer
  checkpoint (a rollback), a lower one runs again;
- a ``Command(update=...)`` given to the old code that no step has applied
  yet (state keys among the writes of no task) is in the old state's shape:
  the checkpoint is refused, naming the keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint._ids import task_id_for
from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    NO_WRITES,
    RESUME,
    STATE_VERSION_WRITE,
    CheckpointTuple,
    PendingWrite,
    config_namespace,
    config_thread_id,
)
from cairngraph.constants import NULL_TASK_ID, RETURN
from cairngraph.engine.algo import Task, next_version
from cairngraph.errors import StateVersionError

__all__ = [
    "FINGERPRINT_KEY",
    "MIGRATED_FROM",
    "RERAN_KEY",
    "VERSION_KEY",
    "VERSION_WRITE",
    "Migrated",
    "StateVersioning",
    "may_migrate",
    "migrate_loaded",
    "rename_reruns",
    "rerun_id",
]

VERSION_KEY = "state_version"
"""Metadata key: the state schema version the checkpoint was written with."""
FINGERPRINT_KEY = "graph_fingerprint"
"""Metadata key: a short hash of the graph's shape (state keys, nodes, edges)."""

MIGRATED_FROM = "migrated_from"
"""Metadata key of the first checkpoint written after a migration: the version it came from."""
RERAN_KEY = "migration_reran"
"""Metadata key: the nodes whose finished writes were the old code's, so they ran again."""
VERSION_WRITE = STATE_VERSION_WRITE
"""A task's write saved on a checkpoint older than the graph: the version of the code
that made the task's other writes."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]
_INTERNAL_PREFIXES = ("__", "branch:", "join:")


@dataclass(frozen=True, slots=True, kw_only=True)
class StateVersioning:
    """A graph's state version, the migrations that reach it, and its fingerprint."""

    version: int
    migrations: Mapping[int, Migration]
    """from-version → function taking the state values of that version, returning the next's."""
    fingerprint: str
    stamp: Mapping[str, Any]
    """The metadata every checkpoint of this graph carries."""

    @classmethod
    def of(
        cls, version: int, migrations: Mapping[int, Migration], fingerprint: str
    ) -> StateVersioning:
        stamp = {VERSION_KEY: version, FINGERPRINT_KEY: fingerprint}
        return cls(
            version=version, migrations=dict(migrations), fingerprint=fingerprint, stamp=stamp
        )


@dataclass(frozen=True, slots=True)
class Migrated:
    """A loaded checkpoint as this graph reads it, and the channels migration rewrote."""

    loaded: CheckpointTuple
    changed: Mapping[str, int]
    """State key → its new version: stored with the next checkpoint."""
    from_version: int | None = None
    """The version the values were migrated from (None: nothing was migrated)."""
    rerun: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Task id whose saved writes were the old code's → the id it runs again under."""


def may_migrate(versioning: StateVersioning | None, loaded: CheckpointTuple) -> bool:
    """Whether :func:`migrate_loaded` has anything to check: the graph or the checkpoint
    is versioned. The cheap test that keeps unversioned graphs' loads as they were."""
    if versioning is not None or FINGERPRINT_KEY in (loaded.metadata or ()):
        return True
    # A versioned graph's writes on an unstamped checkpoint (a rollback is refused).
    writes = loaded.pending_writes
    return bool(writes) and any(write[1] == VERSION_WRITE for write in writes)


def migrate_loaded(versioning: StateVersioning | None, loaded: CheckpointTuple) -> Migrated:
    """``loaded`` with its values migrated to ``versioning.version`` (unchanged if current).

    Example::

        migrated = migrate_loaded(spec.versioning, saver.get_tuple(config))
        migrated.loaded.checkpoint.channel_values  # the values of the graph's version
    """
    if versioning is None:
        # Only a checkpoint stamped by a versioned graph is checked (see
        # stored_version), so a user's own metadata never changes a LangGraph program.
        stored = stored_version(loaded)
        if stored != 1:
            raise _refused(loaded, stored, 1, "this graph declares no version (it reads 1)")
        _refuse_newer_writes(loaded, 1)
        return Migrated(loaded, {})
    stored = stored_version(loaded)
    if stored == versioning.version:
        _refuse_newer_writes(loaded, stored)
        return Migrated(loaded, {})
    if stored > versioning.version:
        raise _refused(
            loaded,
            stored,
            versioning.version,
            f"it is newer than this graph's version {versioning.version}",
        )
    checkpoint = loaded.checkpoint
    internal = {k: v for k, v in checkpoint.channel_values.items() if _is_internal(k)}
    values = {k: v for k, v in checkpoint.channel_values.items() if not _is_internal(k)}
    for version in range(stored, versioning.version):
        values = _step(versioning, loaded, version, values)
    versions = dict(checkpoint.channel_versions)
    changed: dict[str, int] = {}
    for key in list(versions):
        if not _is_internal(key) and key not in values:
            del versions[key]  # removed by a migration: no stored blob is referenced any more
    for key in values:
        versions[key] = changed[key] = next_version(versions.get(key))
    migrated = dataclasses.replace(
        checkpoint, channel_values={**internal, **values}, channel_versions=versions
    )
    pending, rerun = _pending_writes(versioning.version, stored, loaded)
    return Migrated(
        loaded._replace(checkpoint=migrated, pending_writes=pending), changed, stored, rerun
    )


def rerun_id(task_id: str, version: int) -> str:
    """The id a task prepared as ``task_id`` runs under when its saved writes were made
    by code older than state ``version`` (stable, so a later resume finds its writes)."""
    return task_id_for(task_id, "", VERSION_WRITE, (version,))


def rename_reruns(tasks: list[Task], rerun: Mapping[str, str]) -> list[str]:
    """Give the tasks that run again after a migration their rerun ids; their names."""
    names = []
    for task in tasks:
        new_id = rerun.get(task.id)
        if new_id is not None:
            task.id = new_id
            names.append(task.name)
    return names


_SCHEMA_FREE = frozenset((ERROR, INTERRUPT, NO_WRITES, RESUME, RETURN, VERSION_WRITE))
"""Writes that do not depend on the state's shape (see the module docstring)."""


def _pending_writes(
    version: int, stored: int, loaded: CheckpointTuple
) -> tuple[list[PendingWrite], dict[str, str]]:
    """The pending writes this graph keeps from a checkpoint of state ``stored``, and the
    tasks that run again (see the module docstring)."""
    if not loaded.pending_writes:
        return [], {}
    by_task: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in loaded.pending_writes:
        by_task.setdefault(task_id, []).append((channel, value))
    made_by = {task_id: _made_by(loaded, task_id, writes) for task_id, writes in by_task.items()}
    for task_id, mark in made_by.items():
        if mark is not None and mark > version:
            raise _newer_writes(loaded, task_id, mark, version)
    rerun_ids = {
        rerun_id(task_id, later): later
        for task_id in by_task
        for later in range(stored + 1, version + 1)
    }
    kept: dict[str, list[tuple[str, Any]]] = {}
    carried: dict[str, list[tuple[str, Any]]] = {}
    rerun: dict[str, str] = {}
    for task_id, writes in by_task.items():
        if task_id in rerun_ids:
            if rerun_ids[task_id] == version:
                kept.setdefault(task_id, []).extend(w for w in writes if w[0] != VERSION_WRITE)
            continue  # a rerun of an older version's: superseded
        state_writes = [write for write in writes if write[0] not in _SCHEMA_FREE]
        if not state_writes or made_by[task_id] == version:
            kept[task_id] = [write for write in writes if write[0] != VERSION_WRITE]
            continue
        if task_id == NULL_TASK_ID:
            _refuse_old_update(loaded, stored, version, state_writes)
            kept[task_id] = [write for write in writes if write[0] != VERSION_WRITE]
            continue  # only edges (Command(goto=...)): kept, they name no state value
        new_id = rerun[task_id] = rerun_id(task_id, version)
        carried[new_id] = [write for write in writes if write[0] == RESUME]
    for new_id, answers in carried.items():
        own = kept.setdefault(new_id, [])
        if not any(channel == RESUME for channel, _ in own):
            own[:0] = answers  # its own newer answers, if any, replace the carried ones
    pending = [
        PendingWrite(task_id, channel, value)
        for task_id, writes in kept.items()
        for channel, value in writes
    ]
    return pending, rerun


def _newer_writes(
    loaded: CheckpointTuple, task_id: str, mark: int, version: int
) -> StateVersionError:
    return StateVersionError(
        f"the pending writes of task {task_id!r} on checkpoint {loaded.checkpoint.id!r}"
        f"{_where(loaded)} were saved by a graph of state version {mark}, a newer version "
        f"than this graph's {version} (it resumed that step, then the code was rolled back). "
        "They are not loaded, so no field is silently dropped; run the thread with the code "
        "of that version until the step ends."
    )


def _made_by(loaded: CheckpointTuple, task_id: str, writes: list[tuple[str, Any]]) -> int | None:
    for channel, value in writes:
        if channel == VERSION_WRITE:
            if isinstance(value, bool) or not isinstance(value, int):
                raise StateVersionError(
                    f"the pending writes of task {task_id!r} on checkpoint "
                    f"{loaded.checkpoint.id!r}{_where(loaded)} record {VERSION_WRITE} "
                    f"{value!r}, which is not a version number; they were not written by "
                    "cairngraph. Remove that write."
                )
            return value
    return None


def _refuse_newer_writes(loaded: CheckpointTuple, version: int) -> None:
    """A checkpoint of the graph's version may still hold writes a newer graph saved."""
    for task_id, channel, value in loaded.pending_writes:
        if channel == VERSION_WRITE:
            mark = _made_by(loaded, task_id, [(channel, value)])
            if mark is not None and mark > version:
                raise _newer_writes(loaded, task_id, mark, version)


def _refuse_old_update(
    loaded: CheckpointTuple, stored: int, version: int, writes: list[tuple[str, Any]]
) -> None:
    keys = sorted({channel for channel, _ in writes if not _is_internal(channel)})
    if keys:
        raise StateVersionError(
            f"checkpoint {loaded.checkpoint.id!r}{_where(loaded)} holds a "
            f"Command(update=...) given to the code of state version {stored} that no step "
            f"has applied yet (key(s) {', '.join(map(repr, keys))}): it is in that version's "
            f"shape, and a migration to version {version} takes a whole state, so it is "
            "not applied to the migrated one. Let the code of that version finish the step "
            "(it applies the update), or start the thread again from the checkpoint before "
            "it (get_state_history), giving the update in the new shape."
        )


def stored_version(loaded: CheckpointTuple) -> int:
    """The state version ``loaded`` was written with (1 when it is not stamped).

    Only a stamped checkpoint (one with ``graph_fingerprint``, written by a
    versioned graph) is trusted to say: a user's own ``state_version``
    metadata on an unversioned graph's checkpoint means nothing here.
    """
    metadata = loaded.metadata or {}
    if FINGERPRINT_KEY not in metadata:
        return 1
    value = metadata.get(VERSION_KEY, 1)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StateVersionError(
            f"checkpoint {loaded.checkpoint.id!r}{_where(loaded)} records state_version "
            f"{value!r}, which is not a version number; it was not written by a graph with "
            "StateGraph(..., version=N). Fix or remove that metadata key."
        )
    return value


def _step(
    versioning: StateVersioning, loaded: CheckpointTuple, version: int, values: dict[str, Any]
) -> dict[str, Any]:
    migration = versioning.migrations.get(version)
    if migration is None:
        raise _refused(
            loaded,
            version,
            versioning.version,
            f"the graph has no migration from version {version} "
            f"(add migrations={{{version}: fn_{version}_to_{version + 1}, ...}})",
        )
    name = getattr(migration, "__qualname__", repr(migration))
    where = f"checkpoint {loaded.checkpoint.id!r}{_where(loaded)}"
    try:
        result = migration(dict(values))
    except Exception as error:
        raise StateVersionError(
            f"the migration from state version {version} ({name}) failed on {where}: "
            f"{error!r}. A key that was never written is absent (as in a thread's first "
            "checkpoint): check for it before reading it."
        ) from error
    if not isinstance(result, dict):
        raise StateVersionError(
            f"the migration from state version {version} ({name}) returned "
            f"{type(result).__name__} on {where}, not a dict of state values; return the "
            "migrated dict"
        )
    return result


def _refused(loaded: CheckpointTuple, stored: int, known: int, why: str) -> StateVersionError:
    return StateVersionError(
        f"checkpoint {loaded.checkpoint.id!r}{_where(loaded)} was written with state version "
        f"{stored}, and this graph is at version {known}: {why}. It is not loaded, so no "
        "field is silently dropped; run it with the code that wrote it, or declare the "
        "version and migrations that read it."
    )


def _where(loaded: CheckpointTuple) -> str:
    config = loaded.config
    namespace = config_namespace(config)
    ns = f" (namespace {namespace!r})" if namespace else ""
    return f" of thread {config_thread_id(config)!r}{ns}"


def _is_internal(key: str) -> bool:
    return key.startswith(_INTERNAL_PREFIXES)
