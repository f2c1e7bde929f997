"""How a SQLite saver's argument becomes a ready connection.

A saver takes a path, ``":memory:"``, a ``file:`` URI, or a
``sqlite3.Connection`` its caller opened. Invariants:

- Nothing in the file changes before its schema version has been read and
  found not newer than this code's: a newer file is refused as it was, in
  rollback-journal mode too (it is switched to WAL only after that check).
- Files run in WAL mode. In-memory databases cannot, and keep their mode.
- A database that cannot be written (``read_only=True``, ``mode=ro``, file
  permissions, a read-only connection) is opened for reading when it already
  holds this version's tables. It is never switched to WAL nor migrated.
- ``file:`` strings are SQLite URIs (``uri=True``); any other string is a
  path, as ``sqlite3.connect`` reads it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from cairngraph.checkpoint.sqlite import _schema
from cairngraph.errors import ReadOnlyStorageError, StorageError

__all__ = ["Target", "connect", "path_of", "prepare", "storage_error", "target_of"]

_MEMORY_NAMES = (":memory:", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What a connection string names, and how to open it."""

    where: str
    """How messages name it: the string as given."""
    connect: str
    """The argument for ``sqlite3.connect``."""
    uri: bool
    path: str
    """The database file; ``""`` for an in-memory database."""
    shared: str
    """The name of an in-memory database other connections of this process share, or ``""``."""
    read_only: str
    """Why it opens read-only (``"read_only=True"``, ``"mode=ro"``), or ``""``."""


def target_of(source: str | os.PathLike[str], read_only: bool) -> Target:
    """Parse a path, ``":memory:"`` or ``file:`` URI into a :class:`Target`."""
    if isinstance(source, str) and source.startswith("file:"):
        return _uri(source, read_only)
    path = os.fspath(source)
    if path in _MEMORY_NAMES:
        if read_only:
            raise _memory_read_only(path or "''")
        return Target(where=path or "''", connect=path, uri=False, path="", shared="", read_only="")
    if read_only:
        location = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
        return Target(
            where=path, connect=location, uri=True, path=path, shared="", read_only="read_only=True"
        )
    return Target(where=path, connect=path, uri=False, path=path, shared="", read_only="")


def _uri(uri: str, read_only: bool) -> Target:
    rest = uri[len("file:") :].partition("#")[0]
    location, _, query = rest.partition("?")
    if location.startswith("//"):
        authority, slash, tail = location[2:].partition("/")
        if authority not in ("", "localhost"):
            raise StorageError(
                f"{uri}: SQLite URIs name a local file, not host {authority!r}. Write "
                "file:/absolute/path.db or file:relative.db."
            )
        location = slash + tail
    params = dict(parse_qsl(query, keep_blank_values=True))
    path = unquote(location)
    mode = params.get("mode", "")
    memory = mode == "memory" or path in _MEMORY_NAMES or params.get("vfs") == "memdb"
    named = params.get("cache") == "shared" or (params.get("vfs") == "memdb" and path[:1] == "/")
    shared = path if memory and named else ""
    reason = "mode=ro" if mode == "ro" else "immutable=1" if params.get("immutable") == "1" else ""
    if read_only:
        if memory:
            raise _memory_read_only(uri)
        if mode not in ("", "ro"):
            raise StorageError(
                f"{uri}: read_only=True contradicts mode={mode} in the URI. Drop one of them."
            )
        if not reason:
            uri = "file:" + location + "?" + (query + "&" if query else "") + "mode=ro"
        reason = "read_only=True"
    return Target(
        where=uri,
        connect=uri,
        uri=True,
        path="" if memory else path,
        shared=shared,
        read_only=reason,
    )


def _memory_read_only(where: str) -> StorageError:
    return StorageError(
        f"{where} is an in-memory database: it starts empty, so opening it read-only would "
        "leave nothing to read. Drop read_only=True, or open the file you want to read."
    )


def connect(target: Target) -> sqlite3.Connection:
    """Open the connection a saver owns (autocommit; shared by the saver's threads)."""
    if target.path:
        directory = os.path.dirname(os.path.abspath(target.path))
        if not os.path.isdir(directory):
            raise StorageError(
                f"cannot create checkpoint database {target.where}: directory {directory} does "
                "not exist. Create it first, or choose another path."
            )
        if target.read_only and not os.path.exists(target.path):
            raise StorageError(
                f"checkpoint database {target.where} does not exist, and a saver opened "
                f"read-only ({target.read_only}) does not create it. Check the path, or open "
                "it writable to create it."
            )
    try:
        return sqlite3.connect(
            target.connect,
            uri=target.uri,
            isolation_level=None,
            check_same_thread=False,
            timeout=30,
        )
    except sqlite3.Error as error:
        raise storage_error(target.where, error) from error


def path_of(conn: sqlite3.Connection) -> str:
    """The file behind a connection; empty for in-memory and temporary databases."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def prepare(
    conn: sqlite3.Connection, where: str, *, memory: bool, read_only: str, synchronous: str
) -> str:
    """Check, then set up, a fresh connection; in this order, so a refusal changes nothing.

    Returns why the connection is read-only, or ``""`` when it is writable.
    """
    conn.execute("PRAGMA busy_timeout = 30000")
    current = _schema.version(conn)
    _schema.refuse_newer(current, where)
    if not read_only and not _writable(conn):
        read_only = "the file or the connection does not allow writing"
    if read_only:
        _schema.require_latest(current, where, read_only)
        return read_only
    _schema.prepare_new(conn)
    if not memory:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise StorageError(
                f"{where}: cannot switch to WAL mode (got {mode}). Use a file on a local disk."
            )
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    _schema.migrate(conn, where)
    return ""


def _writable(conn: sqlite3.Connection) -> bool:
    """Whether a write would succeed; tried in a transaction that is rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (value,) = conn.execute("PRAGMA user_version").fetchone()
        conn.execute(f"PRAGMA user_version = {int(value)}")
    except sqlite3.OperationalError as error:
        if "readonly" in str(error) or "read-only" in str(error):
            return False
        raise
    finally:
        conn.execute("ROLLBACK")
    return True


def storage_error(where: str, error: sqlite3.Error) -> StorageError:
    """A cairngraph error for a failed SQLite call, with what to do about it."""
    text = str(error)
    kind: type[StorageError] = StorageError
    if "not a database" in text:
        hint = "it is not a SQLite database (or is encrypted by another tool); pick another path"
    elif "readonly" in text or "read-only" in text:
        kind = ReadOnlyStorageError
        hint = "the file or its directory is read-only; make it writable or choose another path"
    elif "unable to open" in text:
        hint = "the file cannot be opened; check the path and permissions"
    elif "same thread" in text:
        hint = (
            "the sqlite3.Connection was opened with check_same_thread=True (the default), but "
            "the saver uses it from worker threads; open it with "
            "sqlite3.connect(path, check_same_thread=False)"
        )
    elif "closed database" in text:
        hint = "the connection was closed; open the saver again"
    else:
        hint = "check the file and try again"
    return kind(f"checkpoint database {where}: {text}: {hint}. Nothing was changed.")
