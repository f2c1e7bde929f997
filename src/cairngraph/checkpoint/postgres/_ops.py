"""The PostgreSQL savers' reading operations, deleting, and the thread lock.

Each is written once as a generator of statements; the sync saver
(``__init__.py``) and the async saver (``aio.py``) run the same generators
through their drivers (see ``_statements.py``). Saving is in ``_save.py``.

Invariants:

- ``get_tuple`` is one statement (the checkpoint joined with its pending
  writes) and one more for its values (``_load.py``).
- ``list`` selects newest first with ``ORDER BY checkpoint_id DESC`` and
  pushes the metadata filter down as JSON containment where that is exact;
  whatever SQL cannot decide is checked in Python with the same rule as
  :class:`InMemorySaver`, page by page, so ``limit`` never reads a whole
  thread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Literal

from cairngraph.checkpoint.base import (
    CheckpointTuple,
    RunnableConfig,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    metadata_matches,
)
from cairngraph.checkpoint.postgres._load import (
    SELECT_CHECKPOINTS,
    load,
    load_with_writes,
    read_rows,
    with_writes,
)
from cairngraph.checkpoint.postgres._statements import Op, Query
from cairngraph.checkpoint.serde.base import SerializerProtocol

__all__ = ["advisory", "delete_thread", "get_tuple", "list_page"]

# -- reading ---------------------------------------------------------------------------


def get_tuple(serde: SerializerProtocol, config: RunnableConfig) -> Op:
    thread_id, ns = config_thread_id(config), config_namespace(config)
    checkpoint_id = config_checkpoint_id(config)
    if checkpoint_id is None:
        sql = " WHERE thread_id = %s AND ns = %s ORDER BY checkpoint_id DESC LIMIT 1"
        params: tuple[str, ...] = (thread_id, ns)
    else:
        sql = " WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s"
        params = (thread_id, ns, checkpoint_id)
    rows = yield Query(with_writes(SELECT_CHECKPOINTS + sql), params, "all")
    return (yield from load_with_writes(serde, rows))


def list_page(
    serde: SerializerProtocol,
    config: RunnableConfig | None,
    filter: Mapping[str, Any] | None,
    before: RunnableConfig | None,
    limit: int | None,
) -> Op:
    """The checkpoints :meth:`list` yields, newest first."""
    clauses, params = _list_clauses(config, filter, before)
    found: list[CheckpointTuple] = []
    after: tuple[str, str, str] | None = None
    while True:
        page_clauses, page_params = list(clauses), list(params)
        if after is not None:
            page_clauses.append("(checkpoint_id, thread_id, ns) < (%s, %s, %s)")
            page_params.extend(after)
        # Only constant fragments and placeholders are joined here.
        sql = SELECT_CHECKPOINTS + (" WHERE " + " AND ".join(page_clauses) if page_clauses else "")
        sql += " ORDER BY checkpoint_id DESC, thread_id DESC, ns DESC"
        if limit is not None:
            sql += " LIMIT %s"
            page_params.append(max(int(limit), 0))
        rows = read_rows(serde, (yield Query(sql, page_params, "all")))
        wanted = limit if limit is None else limit - len(found)
        kept = [row for row in rows if not filter or metadata_matches(row.metadata, filter)]
        found += yield from load(serde, kept[:wanted])
        if limit is None or len(found) >= limit or len(rows) < limit:
            return found
        last = rows[-1]
        after = (last.checkpoint_id, last.thread_id, last.ns)


def _list_clauses(
    config: RunnableConfig | None,
    filter: Mapping[str, Any] | None,
    before: RunnableConfig | None,
) -> tuple[list[str], list[Any]]:
    configurable = (config or {}).get("configurable") or {}
    clauses: list[str] = []
    params: list[Any] = []
    for column, key in (
        ("thread_id", "thread_id"),
        ("ns", "checkpoint_ns"),
        ("checkpoint_id", "checkpoint_id"),
    ):
        if configurable.get(key) is not None:
            clauses.append(column + " = %s")
            params.append(str(configurable[key]))
    before_id = None if before is None else config_checkpoint_id(before)
    if before_id is not None:
        clauses.append("checkpoint_id < %s")
        params.append(before_id)
    exact = _exact_in_json(filter or {})
    if exact:
        # Rows without JSON metadata (encrypted, or not JSON) are decided in Python.
        clauses.append("(meta_json IS NULL OR meta_json @> %s::jsonb)")
        params.append(json.dumps(exact))
    return clauses, params


def _exact_in_json(filter: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``filter`` where JSON containment means Python equality.

    Strings, numbers and None compare the same way in both; booleans do not
    (``1 == True`` in Python, not in JSON) and containment of lists and
    objects is looser than equality, so those stay for Python to check.
    """
    exact = {}
    for key, value in filter.items():
        if not isinstance(key, str) or isinstance(value, bool):
            continue
        finite = not isinstance(value, float) or math.isfinite(value)
        if finite and (value is None or isinstance(value, str | int | float)):
            exact[key] = value
    return exact


def delete_thread(thread_id: str) -> Op:
    yield Query(
        "WITH c AS (DELETE FROM cairn_checkpoints WHERE thread_id = %s), b AS (DELETE FROM "
        "cairn_blobs WHERE thread_id = %s) DELETE FROM cairn_writes WHERE thread_id = %s",
        (thread_id, thread_id, thread_id),
    )


def advisory(action: Literal["lock", "unlock"], key: int) -> Op:
    """Try to take a thread's session advisory lock (True when held), or let it go."""
    function = "pg_try_advisory_lock" if action == "lock" else "pg_advisory_unlock"
    row = yield Query("SELECT " + function + "(%s)", (key,), "one")
    return bool(row[0])
