"""``cairn migrate --graph``: bring each thread's latest checkpoint to the graph's state version.

A graph built with ``StateGraph(State, version=N, migrations={...})`` migrates
an older checkpoint when it loads it, in memory (``engine/_migrate.py``);
what is stored stays old until a run or ``update_state`` writes the next
checkpoint. This command writes that checkpoint for every thread that is
waiting, so the store holds the graph's version without running anything.

Invariants:

- Only the newest root-namespace checkpoint of each thread is looked at,
  and it is migrated by :func:`~cairngraph.engine._migrate.migrate_loaded`,
  the engine's own load-time migration; nothing stored is changed. The new
  checkpoint is its child, source ``update`` (metadata ``migrated_from``
  says the version it came from), holding every state key whole and the
  same trigger versions, so the thread resumes at the same nodes as before.
  History is kept.
- Everything is planned first, with the migrations run in memory on every
  thread that needs them: a checkpoint newer than the graph, one no
  migration leads from, or a migration that raises refuses the whole
  command before anything is written (``--dry-run`` stops after the plan).
- A thread whose latest checkpoint holds pending writes (a step cut short,
  or an interrupt waiting for an answer) is planned like the others (its
  migrations run in memory, with the engine's rule for pending writes, so a
  refusal refuses the command) but not written: the step's task ids, the
  interrupt ids a client holds and an interrupted subgraph's namespace all
  derive from that checkpoint's id, and a child would change them. It is
  listed as skipped; the engine migrates it when it resumes, running the
  step's finished tasks again (``engine/_migrate.py``).
- Each thread is written under its thread lock, after reading its latest
  checkpoint again: a thread a run holds past ``--wait`` is skipped as busy,
  one that moved on is planned again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
)
from cairngraph.cli._open import GraphSpecError
from cairngraph.engine._migrate import (
    MIGRATED_FROM,  # the same key the engine writes on a run's first migrated checkpoint
    StateVersioning,
    migrate_loaded,
    stored_version,
)
from cairngraph.engine.algo import changed_values, restore_channels
from cairngraph.errors import StateVersionError, ThreadBusyError

__all__ = ["MIGRATED_FROM", "Plan", "apply", "plan", "versioning_of"]

Action = Literal["migrate", "migrated", "current", "skipped", "busy", "refused"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What happens, or happened, to one thread."""

    thread_id: str
    checkpoint_id: str
    from_version: int | None
    action: Action
    reason: str | None = None
    new_checkpoint_id: str | None = None

    def as_json(self, to_version: int) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "checkpoint_id": self.checkpoint_id,
            "from_version": self.from_version,
            "to_version": to_version,
            "action": self.action,
            "reason": self.reason,
            "new_checkpoint_id": self.new_checkpoint_id,
        }


def versioning_of(graph: Any, spec: str) -> StateVersioning:
    """The graph's state versioning; an error when it declares no version."""
    versioning: StateVersioning | None = graph.spec.versioning
    if versioning is None:
        raise GraphSpecError(
            f"--graph {spec} declares no state version, so there is nothing to migrate to: "
            "build it with StateGraph(State, version=N, migrations={...}) (see docs/migrations.md)"
        )
    return versioning


def _latest(saver: BaseCheckpointSaver, thread_id: str) -> CheckpointTuple | None:
    return saver.get_tuple({"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}})


def _one(versioning: StateVersioning, graph: Any, thread_id: str, loaded: CheckpointTuple) -> Plan:
    """Classify one thread's latest checkpoint, running its migrations in memory."""
    checkpoint_id = loaded.checkpoint.id
    try:
        stored = stored_version(loaded)
        if stored == versioning.version:
            return Plan(thread_id, checkpoint_id, stored, "current")
        if stored > versioning.version:
            migrate_loaded(versioning, loaded)  # raises: the refusal names both versions
        if loaded.pending_writes:
            found = migrate_loaded(versioning, loaded)  # raises: refused as a whole
            again = f"; its {len(found.rerun)} finished task(s) then run again"
            return Plan(
                thread_id,
                checkpoint_id,
                stored,
                "skipped",
                "its latest checkpoint holds pending writes (a step cut short, or an "
                "interrupt waiting for an answer), whose task and interrupt ids belong to "
                f"it; it migrates on load when it resumes{again if found.rerun else ''}",
            )
        migrated_checkpoint(versioning, graph, loaded)
    except StateVersionError as error:
        return Plan(thread_id, checkpoint_id, None, "refused", str(error))
    return Plan(thread_id, checkpoint_id, stored, "migrate")


def plan(
    saver: BaseCheckpointSaver, graph: Any, versioning: StateVersioning
) -> Iterator[tuple[int, Plan]]:
    """Each thread of the store and what migrating it means, with the running count."""
    for count, info in enumerate(saver.threads(), start=1):
        loaded = _latest(saver, info.thread_id)
        if loaded is not None:
            yield count, _one(versioning, graph, info.thread_id, loaded)


def migrated_checkpoint(
    versioning: StateVersioning, graph: Any, loaded: CheckpointTuple
) -> tuple[Checkpoint, CheckpointMetadata, dict[str, int]]:
    """The child of ``loaded`` holding its state at the graph's version, its metadata and
    the channels it stores anew (every state key)."""
    found = migrate_loaded(versioning, loaded)
    spec = graph.spec
    unknown = sorted(key for key in found.changed if key not in spec.channels)
    if unknown:
        raise StateVersionError(
            f"the migrations of checkpoint {loaded.checkpoint.id!r} of thread "
            f"{loaded.config['configurable']['thread_id']!r} return state key(s) "
            f"{', '.join(map(repr, unknown))}, which this graph's state does not have; fix "
            "the migration or add the keys to the state"
        )
    before = found.loaded.checkpoint
    channels = restore_channels(spec.channels, before.channel_values)
    changed = dict(found.changed)
    checkpoint = dataclasses.replace(
        before,
        id=new_checkpoint_id(after=before.id),
        ts=datetime.now(UTC).isoformat(),
        channel_values=changed_values(channels, changed),
        updated_channels=tuple(sorted(changed)),
        channel_appends={},
    )
    old = loaded.metadata or {}
    metadata: dict[str, Any] = {
        "source": "update",
        "step": int(old.get("step", -1)) + 1,
        "parents": dict(old.get("parents") or {}),
        **versioning.stamp,
        MIGRATED_FROM: stored_version(loaded),
    }
    return checkpoint, metadata, changed  # type: ignore[return-value]


def apply(
    saver: BaseCheckpointSaver,
    graph: Any,
    versioning: StateVersioning,
    planned: Plan,
    *,
    wait: float,
) -> Plan:
    """Write the migrated checkpoint of ``planned``'s thread, under its thread lock."""
    thread_id = planned.thread_id
    try:
        with saver.thread_lock(thread_id, wait):
            loaded = _latest(saver, thread_id)
            if loaded is None:
                return dataclasses.replace(planned, action="skipped", reason="deleted meanwhile")
            now = _one(versioning, graph, thread_id, loaded)
            if now.action != "migrate":
                return now
            checkpoint, metadata, changed = migrated_checkpoint(versioning, graph, loaded)
            parent: RunnableConfig = loaded.config
            written = saver.put(parent, checkpoint, metadata, changed)
    except ThreadBusyError:
        return dataclasses.replace(
            planned, action="busy", reason=f"a run held it for more than {wait:g} s"
        )
    new_id = str(written["configurable"]["checkpoint_id"])
    return dataclasses.replace(now, action="migrated", new_checkpoint_id=new_id)


def apply_all(
    saver: BaseCheckpointSaver,
    graph: Any,
    versioning: StateVersioning,
    planned: list[Plan],
    *,
    wait: float,
    advance: Callable[[], None],
) -> list[Plan]:
    """:func:`apply` for every planned thread, calling ``advance`` after each."""
    done = []
    for item in planned:
        done.append(apply(saver, graph, versioning, item, wait=wait))
        advance()
    return done
