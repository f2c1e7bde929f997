"""The long-term Store: memories shared across threads and runs (LangGraph's ``langgraph.store``).

Modules: :mod:`cairngraph.store.base` (the contract: ``BaseStore``, ``Item``,
the ops), :mod:`cairngraph.store.memory` (``InMemoryStore``),
:mod:`cairngraph.store.sqlite` (``SqliteStore``, ``.aio.AsyncSqliteStore``),
:mod:`cairngraph.store.postgres` (``PostgresStore``, ``.aio.AsyncPostgresStore``).
See ``docs/store.md``.
"""
