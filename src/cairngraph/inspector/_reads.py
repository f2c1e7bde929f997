"""What the pages show, read through the public saver API only.

Every read is bounded by a page size: the thread list asks
:meth:`~cairngraph.checkpoint.base.BaseCheckpointSaver.threads` for one page,
a timeline asks ``list(config, before=..., limit=...)`` for one page (plus one
checkpoint, to know the parent of the page's oldest row and whether more
follow), and a step page reads its checkpoint, its neighbours and nothing else.
So a page costs the same on a thread of ten checkpoints and of ten thousand.

A fork shows as a branch: a checkpoint whose parent is not the checkpoint
saved just before it starts a new lane, and a parent with several children
on the page is marked as a fork point.

Every read takes the namespace (``""``, the root graph, by default); what a
step's subgraphs saved is read by ``_subgraphs.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint.base import (
    ERROR,
    INTERRUPT,
    BaseCheckpointSaver,
    CheckpointTuple,
    PendingWrite,
    ThreadInfo,
    checkpoint_config,
    config_checkpoint_id,
    metadata_matches,
)
from cairngraph.constants import branch_targets
from cairngraph.errors import CheckpointNotFoundError, InvalidConfigError
from cairngraph.inspector._values import Json, parse_json, to_json

__all__ = [
    "StepWrites",
    "ThreadPage",
    "Timeline",
    "TimelineRow",
    "checkpoint_id_of",
    "newer_checkpoint",
    "parse_filters",
    "read_step",
    "state_values",
    "thread_page",
    "timeline",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadRow:
    """One thread of the list: its latest checkpoint and the metadata it was saved with."""

    thread_id: str
    checkpoint_id: str
    ts: str
    step: Any
    source: Any
    metadata: Mapping[str, Json]


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadPage:
    rows: tuple[ThreadRow, ...]
    next_before: str | None
    """The cursor of the next page (its ``before=``), None on the last page."""
    scanned: int
    """With a metadata filter: how many threads this page read to find its rows."""


def parse_filters(texts: Sequence[str]) -> dict[str, Any]:
    """``["step=2", "user=ann"]`` → ``{"step": 2, "user": "ann"}``: JSON if it parses, else text."""
    found: dict[str, Any] = {}
    for text in texts:
        if not text.strip():
            continue
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            raise InvalidConfigError(
                f"metadata filter {text!r} is not key=value; write e.g. source=loop or step=2"
            )
        try:
            found[key.strip()] = parse_json(raw)
        except ValueError:
            found[key.strip()] = raw
    return found


SCAN = 1_000
"""Threads one filtered page reads at most: a rare filter pages through the store in scans."""


def thread_page(
    saver: BaseCheckpointSaver,
    *,
    search: str,
    filter: Mapping[str, Any],
    before: str | None,
    limit: int,
) -> ThreadPage:
    """One page of threads, the most recently saved first.

    A metadata filter is decided here on at most :data:`SCAN` threads, so a
    filter that matches few threads costs a bounded time per page too: the
    page then ends with a cursor past the threads it read.
    """
    if not filter:
        found = list(saver.threads(search=search or None, before=before, limit=limit + 1))
        rows = tuple(_row(info) for info in found[:limit])
        more = len(found) > limit
        return ThreadPage(rows=rows, next_before=rows[-1].thread_id if more else None, scanned=0)
    read = list(saver.threads(search=search or None, before=before, limit=SCAN + 1))
    scanned = read[:SCAN]
    matched = [info for info in scanned if metadata_matches(info.metadata, filter)]
    rows = tuple(_row(info) for info in matched[:limit])
    if len(matched) > limit:
        cursor: str | None = rows[-1].thread_id
    else:
        cursor = scanned[-1].thread_id if len(read) > SCAN else None
    return ThreadPage(rows=rows, next_before=cursor, scanned=len(scanned))


def _row(info: ThreadInfo) -> ThreadRow:
    return ThreadRow(
        thread_id=info.thread_id,
        checkpoint_id=info.checkpoint_id,
        ts=info.ts,
        step=info.metadata.get("step"),
        source=info.metadata.get("source"),
        metadata={
            key: to_json(value)
            for key, value in info.metadata.items()
            if key not in ("step", "source", "parents")
        },
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineRow:
    """One checkpoint of a thread's timeline."""

    checkpoint_id: str
    parent_id: str | None
    step: Any
    source: Any
    ts: str
    ran: tuple[str, ...]
    """The nodes whose writes made this checkpoint (those its parent triggered)."""
    updated: tuple[str, ...]
    lane: int
    branch_from: Any
    """The step this checkpoint branches off (its parent is not the checkpoint before it)."""
    children: int
    """How many checkpoints of this page have it as their parent (>1: a fork point)."""
    interrupts: int
    errors: int
    subgraphs: int = 0
    """How many subgraph namespaces saved checkpoints in the step run from it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    thread_id: str
    rows: tuple[TimelineRow, ...]
    lanes: int
    next_before: str | None
    ns: str = ""


def thread_config(thread_id: str, checkpoint_id: str | None = None, ns: str = "") -> dict[str, Any]:
    """The config naming ``thread_id``'s namespace ``ns`` (the root graph by default) and,
    if given, one checkpoint."""
    if checkpoint_id is None:
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}
    return dict(checkpoint_config(thread_id, ns, checkpoint_id))


def checkpoint_id_of(item: CheckpointTuple) -> str:
    """The id of the checkpoint of ``item``."""
    return item.checkpoint.id


def _parent_id(item: CheckpointTuple) -> str | None:
    return None if item.parent_config is None else config_checkpoint_id(item.parent_config)


def ran_nodes(parent: CheckpointTuple | None) -> tuple[str, ...]:
    """The nodes a checkpoint's parent triggered: ``__start__`` after the input, else its
    ``branch:to:*`` channels."""
    if parent is None:
        return ()
    if parent.metadata.get("source") == "input":
        return ("__start__",)
    updated = parent.checkpoint.updated_channels
    return tuple(branch_targets(updated))


def _count(writes: Sequence[PendingWrite], channel: str) -> int:
    return sum(len(w.value) if channel == INTERRUPT else 1 for w in writes if w.channel == channel)


def timeline(
    saver: BaseCheckpointSaver,
    thread_id: str,
    *,
    before: str | None,
    limit: int,
    ns: str = "",
    subgraphs: Callable[[CheckpointTuple], int] | None = None,
) -> Timeline:
    """One page of a thread's checkpoints in namespace ``ns``, newest first, with branches
    laid out in lanes; ``subgraphs`` counts what each step's subgraphs saved."""
    cursor = None if before is None else thread_config(thread_id, before, ns)
    items = list(saver.list_eager(thread_config(thread_id, ns=ns), before=cursor, limit=limit + 1))
    if not items and before is None:
        where = f" in namespace {ns!r}" if ns else ""
        raise CheckpointNotFoundError(
            f"thread {thread_id!r} has no checkpoints{where} in this store"
        )
    page = items[:limit]
    known = {checkpoint_id_of(item): item for item in items}
    lanes = _lanes(page)
    children = Counter(parent for parent in map(_parent_id, page) if parent is not None)
    rows = []
    for index, item in enumerate(page):
        parent_id = _parent_id(item)
        older = items[index + 1] if index + 1 < len(items) else None
        parent = known.get(parent_id) if parent_id else None
        branch = (
            parent_id is not None and older is not None and checkpoint_id_of(older) != parent_id
        )
        if branch and parent is None:
            parent = saver.get_tuple(thread_config(thread_id, parent_id, ns))
        source = item.metadata.get("source")
        rows.append(
            TimelineRow(
                checkpoint_id=checkpoint_id_of(item),
                parent_id=parent_id,
                step=item.metadata.get("step"),
                source=source,
                ts=item.checkpoint.ts,
                ran=ran_nodes(parent) if source == "loop" else (),
                updated=tuple(c for c in item.checkpoint.updated_channels if _is_state(c)),
                lane=lanes[checkpoint_id_of(item)],
                branch_from=(parent.metadata.get("step") if parent else "?") if branch else None,
                children=children.get(checkpoint_id_of(item), 0),
                interrupts=_count(item.pending_writes, INTERRUPT),
                errors=_count(item.pending_writes, ERROR),
                subgraphs=subgraphs(item) if subgraphs is not None else 0,
            )
        )
    more = len(items) > limit
    return Timeline(
        thread_id=thread_id,
        rows=tuple(rows),
        lanes=max(lanes.values(), default=0) + 1,
        next_before=checkpoint_id_of(page[-1]) if more else None,
        ns=ns,
    )


def _lanes(page: Sequence[CheckpointTuple]) -> dict[str, int]:
    """Oldest first: a checkpoint continues its parent's lane if its parent is that lane's tip."""
    tips: list[str] = []
    lane_of: dict[str, int] = {}
    for item in reversed(page):
        parent_id = _parent_id(item)
        lane = next((i for i, tip in enumerate(tips) if tip == parent_id), None)
        if lane is None:
            lane = len(tips)
            tips.append(checkpoint_id_of(item))
        else:
            tips[lane] = checkpoint_id_of(item)
        lane_of[checkpoint_id_of(item)] = lane
    return lane_of


def _is_state(channel: str) -> bool:
    return not channel.startswith("branch:") and not (
        channel.startswith("__") and channel.endswith("__")
    )


def state_values(item: CheckpointTuple) -> dict[str, Any]:
    """The checkpoint's state keys (its channels, without the engine's trigger channels)."""
    return {k: v for k, v in item.checkpoint.channel_values.items() if _is_state(k)}


@dataclass(frozen=True, slots=True, kw_only=True)
class StepWrites:
    """A checkpoint's pending writes, split: plain writes, errors and interrupts, as JSON.

    Each names its task by node when ``names`` (task id → node, from the
    graph's snapshot) knows it, else by task id.
    """

    plain: tuple[tuple[str, str, Json], ...]
    """(task, channel, value)"""
    errors: tuple[tuple[str, Json], ...]
    """(task, error)"""
    interrupts: tuple[tuple[str, Json, str], ...]
    """(task, value, interrupt id)"""

    @classmethod
    def of(cls, item: CheckpointTuple, names: Mapping[str, str]) -> StepWrites:
        plain: list[tuple[str, str, Json]] = []
        errors: list[tuple[str, Json]] = []
        interrupts: list[tuple[str, Json, str]] = []
        for write in item.pending_writes:
            task = names.get(write.task_id, write.task_id)
            if write.channel == ERROR:
                errors.append((task, to_json(write.value)))
            elif write.channel == INTERRUPT:
                interrupts.extend((task, to_json(i.value), str(i.id)) for i in write.value)
            else:
                plain.append((task, write.channel, to_json(write.value)))
        return cls(plain=tuple(plain), errors=tuple(errors), interrupts=tuple(interrupts))


def read_step(
    saver: BaseCheckpointSaver, thread_id: str, checkpoint_id: str, ns: str = ""
) -> CheckpointTuple:
    """The checkpoint, or :class:`CheckpointNotFoundError` naming thread, namespace and id."""
    found = saver.get_tuple(thread_config(thread_id, checkpoint_id, ns))
    if found is None:
        where = f" in namespace {ns!r}" if ns else ""
        raise CheckpointNotFoundError(
            f"thread {thread_id!r} has no checkpoint {checkpoint_id!r}{where} in this store; "
            "open the thread's timeline to pick one"
        )
    return found


def _probes(checkpoint_id: str, latest: str) -> Iterator[str]:
    """Ids above ``checkpoint_id``, each window 16x wider, ending just above ``latest``.

    Ids are time-ordered 128-bit numbers whose top bits are the time, so the
    windows start at about a millisecond (bit 80) and reach the newest id in a
    few probes.
    """
    low, top = int(checkpoint_id.replace("-", ""), 16), int(latest.replace("-", ""), 16) + 1
    width = 1 << 80
    while True:
        bound = min(low + width, top)
        text = f"{bound:032x}"
        yield f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
        if bound >= top:
            return
        width <<= 4


def newer_checkpoint(
    saver: BaseCheckpointSaver, thread_id: str, checkpoint_id: str, ns: str = ""
) -> CheckpointTuple | None:
    """The checkpoint saved right after ``checkpoint_id`` in the thread's namespace ``ns``
    (any branch), or None.

    ``list()`` only pages towards older ids, so this probes windows above the
    id (see :func:`_probes`) and tightens the window until the result reaches
    the id itself.
    """
    latest = saver.get_tuple(thread_config(thread_id, ns=ns))
    if latest is None or checkpoint_id_of(latest) <= checkpoint_id:
        return None
    for bound in _probes(checkpoint_id, checkpoint_id_of(latest)):
        while True:
            cursor = thread_config(thread_id, bound, ns)
            items = list(saver.list_eager(thread_config(thread_id, ns=ns), before=cursor, limit=16))
            newer = [item for item in items if checkpoint_id_of(item) > checkpoint_id]
            if not newer:
                break
            if len(newer) < len(items) or len(items) < 16:
                return newer[-1]
            bound = checkpoint_id_of(
                newer[-1]
            )  # all newer: the one we want is below the oldest of them
    return None
