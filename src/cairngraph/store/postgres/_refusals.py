"""The server's refusals of the store's statements, as cairngraph errors.

cairngraph's own tables have no constraint a well-formed batch can break and
no trigger: a refusal comes from something added to the database (a CHECK
constraint, a trigger that raises, a row-level security policy, a role
without INSERT, a read-only server). Each becomes an error that names the
server, the batch's items, the table and the trigger or constraint, and the
fix.

Invariants:

- Only refusals become cairngraph errors here: class 23 (integrity), class
  22 (data), PL/pgSQL errors (``RAISE`` in a trigger), any error raised
  inside a trigger function, missing privileges, read-only transactions.
  Anything else is raised as psycopg raised it (it would be a bug of
  cairngraph's, and its text is the clue).
- A refusal always rolls back the whole batch, and the message says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cairngraph.errors import ReadOnlyStorageError, StorageError, WriteRefusedError
from cairngraph.store._codec import split_namespace

__all__ = ["refusals", "refused"]

_SHOWN = 3
"""Items named in a message; the rest are counted."""


@contextmanager
def refusals(where: str, keys: Sequence[tuple[str, str]]) -> Iterator[None]:
    """Raise the server's refusals of a batch writing ``keys`` as cairngraph errors."""
    import psycopg

    try:
        yield
    except psycopg.DatabaseError as error:
        mapped = refused(where, keys, error)
        if mapped is None:
            raise
        raise mapped from error


def refused(
    where: str, keys: Sequence[tuple[str, str]], error: BaseException
) -> StorageError | None:
    """The cairngraph error for ``error``, a refusal of the batch writing ``keys`` (or None)."""
    import psycopg

    diag = getattr(error, "diag", None)
    if diag is None:
        return None
    primary = diag.message_primary or str(error).strip().splitlines()[0]
    detail = f" ({_shortened(diag.message_detail)})" if diag.message_detail else ""
    items = _items(keys)
    table = diag.table_name or _table(primary)
    trigger = _trigger(diag.context or "")
    if isinstance(error, psycopg.errors.ReadOnlySqlTransaction):
        return ReadOnlyStorageError(
            f"PostgreSQL at {where} is read-only ({primary}), so the store cannot write {items}; "
            "its batch was rolled back, nothing of it was written. Connect the store to the "
            "primary server, or turn off default_transaction_read_only for its role "
            "(ALTER ROLE name SET default_transaction_read_only = off); reads still work."
        )
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        on = f" on table {table}" if table else ""
        return StorageError(
            f"PostgreSQL at {where} refused the store's write of {items}{on}: {primary}"
            f"{detail}. The batch was rolled back; nothing of it was written. Grant the "
            "store's role what it needs (GRANT SELECT, INSERT, UPDATE, DELETE ON "
            "cairn_store_items, cairn_store_vectors TO name), or, if a row-level security "
            "policy refuses it, change the policy (ALTER TABLE ... DISABLE ROW LEVEL SECURITY "
            "or a policy admitting these rows)."
        )
    is_refusal = isinstance(
        error,
        psycopg.errors.IntegrityError | psycopg.errors.DataError | psycopg.errors.PlpgsqlError,
    )
    if not (is_refusal or trigger):
        return None
    if trigger:
        source = f"trigger function {trigger}"
    elif diag.constraint_name:
        source = f"constraint {diag.constraint_name!r}"
    else:
        source = "a constraint"
    on = f" on table {table}" if table else " on the store's tables"
    inspect = f"\\d {table}" if table else "\\d cairn_store_items"
    return WriteRefusedError(
        f"PostgreSQL at {where} refused the store's write of {items}: {primary}{detail}. "
        f"It was refused by {source}{on}; cairngraph's tables have no trigger or constraint "
        "of their own that refuses a put, so it was added to the database. The batch was "
        "rolled back; nothing of it was written. "
        f"Write values it accepts, or change or drop it (in psql, {inspect} lists the "
        "table's triggers and constraints)."
    )


def _items(keys: Sequence[tuple[str, str]]) -> str:
    if not keys:
        return "its tables"
    shown = ", ".join(f"{split_namespace(ns)!r}/{key!r}" for ns, key in keys[:_SHOWN])
    more = len(keys) - _SHOWN
    return shown + (f" and {more} more item(s)" if more > 0 else "")


def _shortened(text: str, most: int = 200) -> str:
    """``text`` cut to ``most`` characters (a failing row's detail holds its whole value)."""
    return text if len(text) <= most else text[: most - 3] + "..."


def _trigger(context: str) -> str:
    """``name()`` of the PL/pgSQL function an error was raised in, from the error's context."""
    for line in context.splitlines():
        if line.startswith("PL/pgSQL function "):
            return line.removeprefix("PL/pgSQL function ").split(" ", 1)[0]
    return ""


def _table(primary: str) -> str:
    """The table a message names (``... for table "name"``), when the diagnostics do not."""
    marker = 'table "'
    at = primary.find(marker)
    if at < 0:
        return ""
    return primary[at + len(marker) :].split('"', 1)[0]
