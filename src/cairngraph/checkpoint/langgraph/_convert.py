"""LangGraph's checkpoint dicts as cairngraph's :class:`Checkpoint` records.

What differs between the two, and how each difference is bridged:

- Versions. LangGraph's savers write ``"<32-digit counter>.<random float>"``
  strings (some write plain ints); cairngraph's are ints whose high bits
  count and whose low 32 bits tell branches apart. A string becomes
  ``counter << 32 | floor(fraction * 2**32)``: a function of the string
  alone, so every occurrence of one version (in ``channel_versions`` and in
  every ``versions_seen``, in every namespace) maps to the same int, and the
  order of versions is kept.
- Task ids and namespaces. Both derive task ids from the checkpoint, the
  namespace, the node and the task path, with different hashes. A write's
  task id is re-derived the way cairngraph's engine derives it (from the
  ``task_path`` LangGraph stored with it), so a resumed run recognises the
  tasks that already finished and the interrupted one. A subgraph namespace
  ``node:<task id>`` has its task id replaced the same way, parents first,
  and so do the keys of ``metadata["parents"]``. A write whose task path is
  not a plain pull or push path keeps its id.
- Channel values are kept as LangGraph holds them (a due trigger
  ``branch:to:<node>`` holds ``None``, a deferred node's ``[None, finished]``,
  a join barrier the set of its sources seen), but a spent trigger keeps its
  version in LangGraph and has none in cairngraph (a trigger with a version
  is due).
- ``versions_seen``. LangGraph's empty ``__input__`` entry is dropped;
  cairngraph's ``__ran__`` entry (the nodes of the step that made the
  checkpoint, which ``update_state`` uses to infer ``as_node``) is the
  nodes whose seen versions differ from the parent's.

This module imports the engine (above the checkpoint layer) on purpose: a
task id must be derived exactly as the engine derives it, so it uses the
engine's own function rather than a copy that could drift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint._ids import task_id_for
from cairngraph.checkpoint._langgraph_shape import version_of
from cairngraph.checkpoint.base import Checkpoint, CheckpointMetadata, PendingWrite
from cairngraph.constants import BRANCH_PREFIX, PULL, PUSH, RAN

__all__ = ["Converted", "LangGraphRow", "LangGraphWrite", "convert_thread", "version_of"]

_JOIN = "join:"
_INPUT = "__input__"
_INTERRUPT_SEEN = "__interrupt__"


@dataclass(frozen=True, slots=True, kw_only=True)
class LangGraphWrite:
    """One row of LangGraph's writes table, its value decoded."""

    task_id: str
    task_path: str
    idx: int
    channel: str
    value: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class LangGraphRow:
    """One LangGraph checkpoint as read from its tables, values decoded."""

    thread_id: str
    ns: str
    checkpoint_id: str
    parent_id: str | None
    checkpoint: Mapping[str, Any]
    metadata: Mapping[str, Any]
    writes: tuple[LangGraphWrite, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Converted:
    """One checkpoint ready for a cairngraph saver."""

    thread_id: str
    ns: str
    parent_id: str | None
    checkpoint: Checkpoint
    metadata: CheckpointMetadata
    writes: tuple[PendingWrite, ...]


def _task_key(task_path: str) -> tuple[str, tuple[Any, ...]] | None:
    """(node, cairngraph path) from LangGraph's task path text, or None when not plain."""
    parts = task_path.removeprefix("~").split(", ")
    if len(parts) == 2 and parts[0] == PULL:
        return parts[1], (PULL, parts[1])
    return None


class _Renamer:
    """LangGraph task ids → cairngraph's, and namespaces rewritten with them."""

    def __init__(self) -> None:
        self.tasks: dict[str, str] = {}

    def namespace(self, ns: str) -> str:
        if not ns:
            return ns
        parts = []
        for part in ns.split("|"):
            name, colon, task = part.partition(":")
            parts.append(f"{name}{colon}{self.tasks.get(task, task)}" if colon else part)
        return "|".join(parts)

    def learn(self, row: LangGraphRow, push_names: Mapping[str, str]) -> None:
        self._learn_parents(row)
        ns = self.namespace(row.ns)
        for write in row.writes:
            key = _task_key(write.task_path)
            if key is None:
                key = _push_key(write.task_path, push_names.get(write.task_id))
            if key is not None:
                node, path = key
                self.tasks[write.task_id] = task_id_for(row.checkpoint_id, ns, node, path)

    def _learn_parents(self, row: LangGraphRow) -> None:
        """The subgraph tasks of ``row.ns`` that left no write in their parent graph.

        A subgraph that stopped mid-run (a crash) has checkpoints of its own but
        its parent's task saved nothing. Its id is then derived as for a node
        triggered by its channels, from the parent checkpoint that the
        subgraph's metadata names.
        """
        parents = row.metadata.get("parents")
        if not row.ns or not isinstance(parents, Mapping):
            return
        segments = row.ns.split("|")
        for depth, segment in enumerate(segments):
            name, colon, task = segment.partition(":")
            outer = "|".join(segments[:depth])
            parent_id = parents.get(outer)
            if colon and task not in self.tasks and isinstance(parent_id, str):
                outer_ns = self.namespace(outer)
                self.tasks[task] = task_id_for(parent_id, outer_ns, name, (PULL, name))


def _push_key(task_path: str, node: str | None) -> tuple[str, tuple[Any, ...]] | None:
    parts = task_path.removeprefix("~").split(", ")
    if node is not None and len(parts) >= 2 and parts[0] == PUSH and parts[1].isdigit():
        return node, (PUSH, int(parts[1]))
    return None


def _push_names(row: LangGraphRow) -> dict[str, str]:
    """Task id → node of the ``Send`` tasks prepared from ``row``: from its TASKS channel."""
    sends = row.checkpoint.get("channel_values", {}).get("__pregel_tasks")
    found: dict[str, str] = {}
    for write in row.writes:
        parts = write.task_path.removeprefix("~").split(", ")
        # (PUSH, index of the Send, ...): LangGraph may add a flag after the index.
        if len(parts) >= 2 and parts[0] == PUSH and parts[1].isdigit() and sends:
            index = int(parts[1])
            if index < len(sends) and hasattr(sends[index], "node"):
                found[write.task_id] = str(sends[index].node)
    return found


def _values(raw: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for channel, value in raw.items():
        if channel.startswith(BRANCH_PREFIX) and isinstance(value, tuple):
            values[channel] = list(value)  # a deferred trigger: [None, finished]
            continue
        if channel.startswith(_JOIN) and isinstance(value, frozenset | list | tuple):
            values[channel] = set(value)
            continue
        values[channel] = value
    return values


def _versions(raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, int]:
    # A consumed trigger keeps a version in LangGraph (its empty value says it is
    # spent); cairngraph's trigger is due while it has a version, so a spent one has none.
    return {
        channel: version_of(version)
        for channel, version in raw.items()
        if not (channel.startswith(BRANCH_PREFIX) and channel not in values)
    }


def _seen(
    raw: Mapping[str, Mapping[str, Any]], parent: Mapping[str, Mapping[str, Any]] | None
) -> dict[str, dict[str, int]]:
    seen = {
        node: {channel: version_of(v) for channel, v in versions.items()}
        for node, versions in raw.items()
        if not (node == _INPUT and not versions)
    }
    before = parent or {}
    ran = {
        node: 1
        for node, versions in raw.items()
        if node not in (_INPUT, _INTERRUPT_SEEN) and dict(before.get(node, {})) != dict(versions)
    }
    if parent is not None and ran:
        seen[RAN] = ran
    return seen


def _converted(row: LangGraphRow, parent: LangGraphRow | None, renamer: _Renamer) -> Converted:
    raw = row.checkpoint
    parent_seen = None if parent is None else parent.checkpoint.get("versions_seen", {})
    checkpoint = Checkpoint(
        id=row.checkpoint_id,
        ts=str(raw["ts"]),
        channel_values=_values(raw.get("channel_values") or {}),
        channel_versions=_versions(
            raw.get("channel_versions") or {}, raw.get("channel_values") or {}
        ),
        versions_seen=_seen(raw.get("versions_seen") or {}, parent_seen),
        updated_channels=tuple(raw.get("updated_channels") or ()),
    )
    metadata: dict[str, Any] = dict(row.metadata)
    if isinstance(metadata.get("parents"), dict):
        metadata["parents"] = {renamer.namespace(k): v for k, v in metadata["parents"].items()}
    writes = tuple(
        PendingWrite(renamer.tasks.get(w.task_id, w.task_id), w.channel, w.value)
        for w in row.writes
    )
    return Converted(
        thread_id=row.thread_id,
        ns=renamer.namespace(row.ns),
        parent_id=row.parent_id,
        checkpoint=checkpoint,
        metadata=metadata,  # type: ignore[arg-type]  # LangGraph's keys, kept as they are
        writes=writes,
    )


def convert_thread(rows: Sequence[LangGraphRow]) -> list[Converted]:
    """Every checkpoint of one thread converted, each namespace parents first.

    Outer namespaces come first, so a subgraph's namespace is rewritten with
    task ids already learned from its parent graph's writes.
    """
    ordered = sorted(rows, key=lambda r: (r.ns.count("|") + bool(r.ns), r.ns, r.checkpoint_id))
    by_key = {(r.ns, r.checkpoint_id): r for r in ordered}
    renamer = _Renamer()
    for row in ordered:
        renamer.learn(row, _push_names(row))
    converted = []
    for row in ordered:
        parent = by_key.get((row.ns, row.parent_id or ""))
        converted.append(_converted(row, parent, renamer))
    return converted
