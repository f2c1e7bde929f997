"""Import threads that LangGraph's savers wrote into any cairngraph saver.

``import_sqlite`` reads a database of LangGraph's ``SqliteSaver``
(``langgraph-checkpoint-sqlite``); ``import_postgres`` reads the tables of
its ``PostgresSaver`` (``langgraph-checkpoint-postgres``). Every checkpoint of
every namespace of each thread is saved into the target with the same
checkpoint id, timestamp, parent and metadata, and with its pending writes,
so a graph compiled with the target saver continues the thread where
LangGraph left it (``get_state``, ``get_state_history``, ``invoke(None,
config)``, ``Command(resume=...)``).

Invariants:

- The source is only read. The target is written through its public
  ``put_steps`` / ``put_writes``: a chain of parent → child steps is saved
  in batches, each step carrying its parent's pending writes, so each channel
  value is stored once per version, as in a run.
- Values are decoded without importing or building anything that is not
  registered (see ``_decode``); the first value that cannot be read stops
  the import with an error naming it and its place. Threads are saved one
  at a time: those saved before an error stay saved. Importing a thread
  again saves the same records under the same keys (checkpoint ids, task
  ids and write indexes are the same), so it leaves the target as it was:
  running an import twice is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig, StepSave, TaskWrites
from cairngraph.checkpoint.langgraph._convert import Converted, convert_thread, version_of
from cairngraph.checkpoint.langgraph._decode import LangGraphDecoder
from cairngraph.checkpoint.langgraph._sources import Source, postgres_threads, sqlite_threads
from cairngraph.checkpoint.serde.registry import TypeRegistry, shared_registry

__all__ = ["ImportReport", "LangGraphDecoder", "import_postgres", "import_sqlite", "version_of"]

_BATCH = 100


@dataclass(slots=True)
class ImportReport:
    """What an import saved: counts, and the thread ids in the order they were done.

    Example::

        report = import_sqlite("langgraph.db", saver)
        print(report.threads, report.checkpoints, report.writes)
    """

    threads: int = 0
    checkpoints: int = 0
    writes: int = 0
    thread_ids: list[str] = field(default_factory=list)


def import_sqlite(
    source: Source,
    target: BaseCheckpointSaver,
    *,
    thread_ids: Sequence[str] | None = None,
    registry: TypeRegistry | None = None,
) -> ImportReport:
    """Copy the threads of a LangGraph ``SqliteSaver`` database (a path or a connection).

    ``thread_ids`` picks threads (all by default); ``registry`` lists the
    application types the values may hold (default: the process-wide one
    that :func:`cairngraph.checkpoint.serde.register` fills).

    Example::

        from cairngraph.checkpoint.sqlite import SqliteSaver
        from cairngraph.checkpoint.langgraph import import_sqlite

        with SqliteSaver.from_conn_string("cairn.db") as saver:
            report = import_sqlite("langgraph.db", saver)
    """
    decoder = LangGraphDecoder(registry or shared_registry())
    return _save_all(target, sqlite_threads(source, decoder, thread_ids))


def import_postgres(
    source: Any,
    target: BaseCheckpointSaver,
    *,
    thread_ids: Sequence[str] | None = None,
    registry: TypeRegistry | None = None,
) -> ImportReport:
    """Copy the threads of LangGraph's ``PostgresSaver`` tables (a URL or a psycopg connection).

    The tables are looked up on the connection's ``search_path``, as
    LangGraph's saver does. Other parameters as :func:`import_sqlite`.

    Example::

        report = import_postgres("postgresql://localhost/app", saver, thread_ids=["42"])
    """
    import psycopg  # an extra (cairngraph[postgres]); only this function needs it

    decoder = LangGraphDecoder(registry or shared_registry())
    if isinstance(source, str):
        with psycopg.connect(source) as conn:
            return _save_all(target, postgres_threads(conn, decoder, thread_ids))
    return _save_all(target, postgres_threads(source, decoder, thread_ids))


def _save_all(target: BaseCheckpointSaver, threads: Iterable[list[Any]]) -> ImportReport:
    report = ImportReport()
    for rows in threads:
        if not rows:
            continue
        converted = convert_thread(rows)
        report.writes += _save_thread(target, converted)
        report.threads += 1
        report.checkpoints += len(converted)
        report.thread_ids.append(converted[0].thread_id)
    return report


def _place(thread_id: str, ns: str, checkpoint_id: str | None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _by_task(item: Converted) -> list[TaskWrites]:
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for write in item.writes:
        grouped.setdefault(write.task_id, []).append((write.channel, write.value))
    return [TaskWrites(task_id=task, writes=found) for task, found in grouped.items()]


def _steps(items: Sequence[Converted], carried: set[tuple[str, str]]) -> Iterator[list[StepSave]]:
    """Runs of parent → child steps; ``carried`` learns whose writes went with a child."""
    known = {(item.ns, item.checkpoint.id): item for item in items}
    batch: list[StepSave] = []
    last: tuple[str, str] | None = None
    for item in items:
        parent_key = (item.ns, item.parent_id or "")
        parent = known.get(parent_key)
        writes: list[TaskWrites] = []
        if parent is not None and parent_key not in carried:
            writes = _by_task(parent)
            carried.add(parent_key)
        before = parent.checkpoint.channel_versions if parent is not None else {}
        step = StepSave(
            config=_place(item.thread_id, item.ns, item.parent_id),
            task_writes=writes,
            checkpoint=item.checkpoint,
            metadata=item.metadata,
            new_versions={
                k: v for k, v in item.checkpoint.channel_versions.items() if before.get(k) != v
            },
        )
        if batch and (parent_key != last or len(batch) >= _BATCH):
            yield batch
            batch = []
        batch.append(step)
        last = (item.ns, item.checkpoint.id)
    if batch:
        yield batch


def _save_thread(target: BaseCheckpointSaver, items: Sequence[Converted]) -> int:
    """Save one thread's converted checkpoints; return how many writes were saved."""
    carried: set[tuple[str, str]] = set()
    for batch in _steps(items, carried):
        target.put_steps(batch)
    for item in items:
        if (item.ns, item.checkpoint.id) not in carried:
            config = _place(item.thread_id, item.ns, item.checkpoint.id)
            for task in _by_task(item):
                target.put_writes(config, task.writes, task.task_id)
    return sum(len(item.writes) for item in items)
