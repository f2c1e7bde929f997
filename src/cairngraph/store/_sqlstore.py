"""What the SQLite and PostgreSQL stores share: a batch is planned, embedded, then run.

A subclass supplies only how an operation (a generator of statements, see
``_sql.py``) runs: :meth:`SqlStore._run` (sync) and :meth:`SqlStore._arun`
(async). Planning and embedding (``_plan.py``) and every statement are
written once, here and in ``_sql.py``.

Invariants:

- The tables are created or upgraded by ``setup()``; a store that was not
  set up sets itself up before its first batch (``setup()`` is idempotent),
  so forgetting it is not an error.
- The embedder runs before the transaction opens: a slow embedding service
  never holds a database lock.
- A batch of puts alone is sealed by its caller, then written by
  :meth:`SqlStore._write` / :meth:`SqlStore._awrite`: at once here, merged
  with concurrent callers' on PostgreSQL (``_group``: group commit).
- A database's refusal of a statement (a trigger, a constraint, a missing
  privilege) passes through :meth:`SqlStore._refusals`, which names the
  batch's items: PostgreSQL's stores raise cairngraph errors there.
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from cairngraph.checkpoint.postgres._statements import Op
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.store import _plan, _sql
from cairngraph.store._codec import ValueCodec, join_namespace
from cairngraph.store._embed import Index
from cairngraph.store._write import Row
from cairngraph.store._write import rows as seal
from cairngraph.store.base import BaseStore, IndexConfig, Result, TTLConfig
from cairngraph.store.base import Op as StoreOp

__all__ = ["SqlStore"]


class SqlStore(BaseStore):
    """The persistent stores' common part (not used directly)."""

    def __init__(
        self,
        *,
        serde: SerializerProtocol | None,
        index: IndexConfig | None,
        ttl: TTLConfig | None,
    ) -> None:
        self.index_config = index
        self._index = Index.of(index)
        self.ttl_config = ttl
        self._codec = ValueCodec(serde)
        self.serde = self._codec.serde
        self._ready = False

    def _backend(self) -> _sql.Backend:
        return _sql.Backend(
            self._codec,
            self._index is not None,
            self._scores_in_sql(),
            self._one_statement_puts,
            self._max_params(),
        )

    _one_statement_puts = False
    """PostgreSQL stores write puts as one statement (see ``_write.Backend``)."""

    def _max_params(self) -> int:
        """The most parameters one statement may carry (PostgreSQL's protocol limit)."""
        return 65_535

    def _scores_in_sql(self) -> bool:
        return False

    @abstractmethod
    def _run(self, make: Callable[[], Op]) -> Any:
        """Run the operation ``make`` builds, from a sync caller."""

    @abstractmethod
    async def _arun(self, make: Callable[[], Op]) -> Any:
        """Run the operation ``make`` builds, from a coroutine."""

    @abstractmethod
    def _prepare(self) -> None:
        """Create or upgrade the tables, from a sync caller."""

    @abstractmethod
    async def _aprepare(self) -> None:
        """Create or upgrade the tables, from a coroutine."""

    def batch(self, ops: Iterable[StoreOp]) -> list[Result]:
        """Run ``ops`` in one transaction; see :class:`~cairngraph.store.base.BaseStore`."""
        planned = _plan.plan(ops, self._index)
        embedded = _plan.embed(planned, self._index)
        if not self._ready:
            self._prepare()
            self._ready = True
        backend = self._backend()
        if planned.puts and not planned.reads:
            self._write(seal(backend, planned.puts, embedded, _plan.now_us()))
            return [None] * len(planned.ops)
        with self._refusals(_keys(planned)):
            return self._run(lambda: _sql.run_batch(backend, planned, embedded, _plan.now_us()))  # type: ignore[no-any-return]

    async def abatch(self, ops: Iterable[StoreOp]) -> list[Result]:
        """Async :meth:`batch` (an async embed function is awaited)."""
        planned = _plan.plan(ops, self._index)
        embedded = await _plan.aembed(planned, self._index)
        if not self._ready:
            await self._aprepare()
            self._ready = True
        backend = self._backend()
        if planned.puts and not planned.reads:
            await self._awrite(seal(backend, planned.puts, embedded, _plan.now_us()))
            return [None] * len(planned.ops)
        with self._refusals(_keys(planned)):
            return await self._arun(  # type: ignore[no-any-return]
                lambda: _sql.run_batch(backend, planned, embedded, _plan.now_us())
            )

    def _write(self, rows: list[Row]) -> None:
        """Write one batch's sealed puts, from a sync caller (PostgreSQL: grouped)."""
        self._write_now(rows)

    async def _awrite(self, rows: list[Row]) -> None:
        """Write one batch's sealed puts, from a coroutine (PostgreSQL: grouped)."""
        await self._awrite_now(rows)

    def _write_now(self, rows: list[Row]) -> None:
        backend = self._backend()
        with self._refusals([(row.ns, row.key) for row in rows]):
            self._run(lambda: _sql.run_puts(backend, rows))

    async def _awrite_now(self, rows: list[Row]) -> None:
        backend = self._backend()
        with self._refusals([(row.ns, row.key) for row in rows]):
            await self._arun(lambda: _sql.run_puts(backend, rows))

    def _refusals(self, keys: list[tuple[str, str]]) -> contextlib.AbstractContextManager[None]:
        """Where the database's refusals of a batch writing ``keys`` become cairngraph errors."""
        return contextlib.nullcontext()

    def _sweep(self) -> Callable[[], Op]:
        return lambda: _sql.sweep(_plan.now_us())


def _keys(planned: _plan.Plan) -> list[tuple[str, str]]:
    return [(join_namespace(namespace), key) for namespace, key in planned.puts]
