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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint.base import CheckpointTuple, config_namespace, config_thread_id
from cairngraph.engine.algo import next_version
from cairngraph.errors import StateVersionError

__all__ = [
    "FINGERPRINT_KEY",
    "VERSION_KEY",
    "Migrated",
    "StateVersioning",
    "may_migrate",
    "migrate_loaded",
]

VERSION_KEY = "state_version"
"""Metadata key: the state schema version the checkpoint was written with."""
FINGERPRINT_KEY = "graph_fingerprint"
"""Metadata key: a short hash of the graph's shape (state keys, nodes, edges)."""

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


def may_migrate(versioning: StateVersioning | None, loaded: CheckpointTuple) -> bool:
    """Whether :func:`migrate_loaded` has anything to check: the graph or the checkpoint
    is versioned. The cheap test that keeps unversioned graphs' loads as they were."""
    return versioning is not None or FINGERPRINT_KEY in (loaded.metadata or ())


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
        return Migrated(loaded, {})
    stored = stored_version(loaded)
    if stored == versioning.version:
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
    return Migrated(loaded._replace(checkpoint=migrated), changed)


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
