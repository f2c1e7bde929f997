"""Opening a checkpoint store by URL, and loading a graph by ``module:attr``.

Shared by the ``cairn`` command and the web inspector (``cairngraph.inspector``).

Invariants:

- A store opened with ``read_only=True`` is never written: SQLite is opened
  through a ``file:...?mode=ro`` URI by ``SqliteSaver(read_only=True)`` (no
  WAL switch, no migration; a missing file is refused, never created), and
  PostgreSQL sessions run with ``default_transaction_read_only=on``, so the
  server itself refuses any write; ``setup()`` is not called.
- A store opened for writing is migrated to this cairngraph's tables
  (SQLite on open, PostgreSQL through ``setup()``).
- ``blobs`` names the blob store big values were saved in (a directory, or
  ``s3://bucket/prefix``); the saver reads and writes them there. Opened
  read-only, a missing blob directory is refused, never created.
- When ``CAIRNGRAPH_ENCRYPTION_KEYS`` or ``CAIRNGRAPH_ENCRYPTION_KEY`` is set,
  the saver reads and writes through ``EncryptedSerializer.from_env()``, so
  encrypted stores open with the keys their application uses.
- Every failure is a :class:`~cairngraph.errors.CairnGraphError` whose message
  says what was given and how to fix it.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.blobs import BlobStore
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import (
    CairnGraphError,
    InvalidConfigError,
    StorageError,
    StorageUnavailableError,
)

__all__ = [
    "GraphSpecError",
    "load_graph",
    "open_blobs",
    "open_saver",
    "serializer_from_env",
    "sqlite_path",
]

_POSTGRES_SCHEMES = ("postgresql", "postgres")
_KEYS, _KEY = "CAIRNGRAPH_ENCRYPTION_KEYS", "CAIRNGRAPH_ENCRYPTION_KEY"


class GraphSpecError(CairnGraphError, ValueError):
    """``--graph module:attr`` names nothing that can run as a graph."""


def sqlite_path(url: str) -> str | None:
    """The file a SQLite URL names (a path, ``sqlite:///path``, ``file:path``); None for others.

    Example::

        sqlite_path("sqlite:///data/jokes.db")   # "data/jokes.db"
        sqlite_path("postgresql://host/db")      # None
    """
    if url.startswith("sqlite:"):
        rest = url[len("sqlite:") :]
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy writes them.
        return rest[3:] if rest.startswith("///") else rest.lstrip("/") or ""
    if url.startswith("file:"):
        return urlsplit(url).path or url[len("file:") :].partition("?")[0]
    if "://" in url:
        return None
    return url


def open_blobs(spec: str, *, read_only: bool) -> BlobStore:
    """The blob store ``spec`` names: a directory path, or ``s3://bucket/prefix``.

    The S3 prefix is the text after the bucket, exactly as ``S3BlobStore(prefix=...)``
    takes it (``s3://b/cp/`` is prefix ``cp/``); endpoint, region and credentials
    come from boto3's usual settings (``AWS_ENDPOINT_URL_S3``, ``AWS_REGION``,
    ``~/.aws``). A directory opened ``read_only`` must exist.

    Example::

        open_blobs("checkpoint-blobs", read_only=True)     # DirectoryBlobStore
        open_blobs("s3://my-bucket/cp/", read_only=False)  # S3BlobStore
    """
    from cairngraph.checkpoint.blobs import DirectoryBlobStore, S3BlobStore

    if not spec:
        raise InvalidConfigError(
            "--blobs is empty: give the blob directory or s3://bucket/prefix the values were "
            "saved in"
        )
    scheme, found, rest = spec.partition("://")
    if found:
        if scheme.lower() != "s3":
            raise InvalidConfigError(
                f"--blobs {spec!r} has scheme {scheme!r}: give a directory path or "
                "s3://bucket/prefix"
            )
        bucket, _slash, prefix = rest.partition("/")
        if not bucket:
            raise InvalidConfigError(
                f"--blobs {spec!r} names no bucket: write s3://bucket or s3://bucket/prefix/"
            )
        return S3BlobStore(bucket, prefix=prefix)
    if os.path.exists(spec) and not os.path.isdir(spec):
        raise StorageError(f"--blobs {spec} is a file, not a directory: give the blob directory")
    if read_only and not os.path.isdir(spec):
        raise StorageError(
            f"blob directory {spec} does not exist: check --blobs (read commands never create it)"
        )
    return DirectoryBlobStore(spec)


@contextmanager
def open_saver(
    url: str, *, read_only: bool, blobs: str | None = None
) -> Iterator[BaseCheckpointSaver]:
    """A saver on the store ``url`` names, closed when the block ends.

    ``url`` is a SQLite path (``data/jokes.db``, ``sqlite:///data/jokes.db``)
    or a PostgreSQL URL (``postgresql://user@host/db``). With ``read_only``
    nothing is written, not even a schema migration. ``blobs`` names the blob
    store of its big values (see :func:`open_blobs`).

    Example::

        with open_saver("data/jokes.db", read_only=True, blobs="data/blobs") as saver:
            latest = saver.get_tuple({"configurable": {"thread_id": "jokes-1"}})
    """
    if not url:
        raise InvalidConfigError(
            "no store given: pass --db PATH_OR_URL (a SQLite file or postgresql://...) or set "
            "CAIRN_DB"
        )
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    path = None if scheme in _POSTGRES_SCHEMES else sqlite_path(url)
    if path is None and scheme not in _POSTGRES_SCHEMES:
        raise InvalidConfigError(
            f"store URL {url!r} has scheme {scheme!r}, which cairn does not open: use a SQLite "
            "path (data/app.db, sqlite:///data/app.db) or postgresql://user@host/db"
        )
    store = None if blobs is None else open_blobs(blobs, read_only=read_only)
    if path is None:
        with _open_postgres(url, read_only, store) as saver:
            yield saver
        return
    with _open_sqlite(path, read_only, store) as saver:
        yield saver


@contextmanager
def _open_sqlite(
    path: str, read_only: bool, blobs: BlobStore | None
) -> Iterator[BaseCheckpointSaver]:
    from cairngraph.checkpoint.sqlite import SqliteSaver

    if path in ("", ":memory:"):
        raise InvalidConfigError(
            "an in-memory SQLite store starts empty and ends with the command: give a file path"
        )
    if os.path.isdir(path):
        raise StorageError(f"store {path} is a directory, not a SQLite file: give the file's path")
    if read_only and not os.path.exists(path):
        raise StorageError(
            f"store {path} does not exist: check the path (read commands never create a store)"
        )
    if read_only:
        _require_cairn_tables(path)
    saver = SqliteSaver(path, read_only=read_only, serde=serializer_from_env(), blobs=blobs)
    try:
        yield saver
    finally:
        saver.close()


def serializer_from_env() -> SerializerProtocol | None:
    """The encrypting serializer when the environment holds keys, else None (the default)."""
    if not (os.environ.get(_KEYS) or os.environ.get(_KEY)):
        return None
    from cairngraph.checkpoint.serde import EncryptedSerializer

    return EncryptedSerializer.from_env()


def _require_cairn_tables(path: str) -> None:
    """Refuse, with what it is, a file that holds no cairngraph tables (read commands only)."""
    import sqlite3

    try:
        with closing(
            sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
        ) as conn:
            names = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise StorageError(
            f"store {path} cannot be read as SQLite ({error}): it is not a SQLite database, "
            "or is damaged; check --db"
        ) from error
    if any(name.startswith("cairn_") for name in names):
        return
    what = "an empty SQLite file" if not names else "another tool's SQLite file"
    if {"checkpoints", "writes"} <= names:
        what = "LangGraph's SqliteSaver file"
    raise StorageError(
        f"store {path} holds no cairngraph checkpoints: it is {what} (tables: "
        f"{', '.join(sorted(names)) or 'none'}); check --db"
    )


def _read_only_url(url: str) -> str:
    """``url`` with every session read-only, keeping options it already has (search_path)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [value for key, value in query if key == "options"]
    kept = [(key, value) for key, value in query if key != "options"]
    merged = " ".join([*options, "-c default_transaction_read_only=on"])
    query_text = urlencode([*kept, ("options", merged)], quote_via=quote)  # libpq: no "+"
    return urlunsplit(parts._replace(query=query_text))


@contextmanager
def _open_postgres(
    url: str, read_only: bool, blobs: BlobStore | None
) -> Iterator[BaseCheckpointSaver]:
    from cairngraph.checkpoint.postgres import PostgresSaver

    _probe(url)
    with PostgresSaver.from_conn_string(
        _read_only_url(url) if read_only else url,
        max_size=4,
        serde=serializer_from_env(),
        blobs=blobs,
    ) as saver:
        if not read_only:
            saver.setup()
        yield saver


def _probe(url: str) -> None:
    """Fail fast, in one line, when the server does not answer (a pool would wait 30 s)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.Error as error:
        parts = urlsplit(url)
        where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StorageUnavailableError(
            f"cannot connect to PostgreSQL at {where} ({reason}); check the URL, and that the "
            "server runs and accepts this user"
        ) from error


def load_graph(spec: str, saver: BaseCheckpointSaver) -> Any:
    """The compiled graph ``spec`` (``module:attr``) names, saving to ``saver``.

    ``attr`` (dotted names allowed) is a compiled graph (compiled again with
    ``saver`` as its checkpointer, keeping its other options), a
    ``StateGraph`` builder, or a function taking no arguments that returns
    one of them. The current directory is importable, as with ``python -m``.

    Example::

        graph = load_graph("examples.tutorial.joke_graph:build_graph", saver)
        graph.invoke({"topic": "owls"}, {"configurable": {"thread_id": "1"}})
    """
    module_name, colon, attr = spec.partition(":")
    if not colon or not module_name or not attr:
        raise GraphSpecError(
            f"--graph {spec!r} is not module:attr; write e.g. --graph myapp.graphs:workflow"
        )
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise GraphSpecError(
            f"--graph {spec!r}: cannot import module {module_name!r} ({error}); run cairn from "
            "the folder that holds it, or add that folder to PYTHONPATH"
        ) from error
    except Exception as error:
        raise GraphSpecError(
            f"--graph {spec!r}: importing {module_name} raised {type(error).__name__}: {error}; "
            "fix the module (python -c 'import "
            f"{module_name}' shows the traceback)"
        ) from error
    found: Any = module
    for name in attr.split("."):
        if not hasattr(found, name):
            raise GraphSpecError(
                f"--graph {spec!r}: {module_name} has no attribute {attr!r}; check the name"
            )
        found = getattr(found, name)
    return _compiled(spec, found, saver)


def _refuse_arguments(spec: str, function: Any) -> None:
    import inspect

    try:
        needed = [
            name
            for name, parameter in inspect.signature(function).parameters.items()
            if parameter.default is inspect.Parameter.empty
            and parameter.kind
            not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):  # no signature to read (a builtin): let the call decide
        return
    if needed:
        raise GraphSpecError(
            f"--graph {spec!r} is a function that needs arguments ({', '.join(needed)}); point "
            "--graph at a compiled graph, a StateGraph, or a function taking none"
        )


def _compiled(spec: str, found: Any, saver: BaseCheckpointSaver) -> Any:
    from cairngraph.graph import StateGraph
    from cairngraph.graph.compiled import CompiledStateGraph

    if not isinstance(found, CompiledStateGraph | StateGraph) and callable(found):
        _refuse_arguments(spec, found)
        try:
            found = found()
        except CairnGraphError:
            raise
        except Exception as error:  # the user's function failed: say so in one line
            raise GraphSpecError(
                f"--graph {spec!r}: calling it raised {type(error).__name__}: {error}"
            ) from error
    if isinstance(found, StateGraph):
        return found.compile(checkpointer=saver)
    if isinstance(found, CompiledStateGraph):
        return found.builder.compile(
            checkpointer=saver,
            interrupt_before=list(found.interrupt_before_nodes),
            interrupt_after=list(found.interrupt_after_nodes),
            name=found.name,
            durability=found.durability,
            strict=found.strict,
            continue_into_new_nodes=found.continue_into_new_nodes,
            debug=found.debug,
            store=found.store,
            cache=found.cache,
        )
    raise GraphSpecError(
        f"--graph {spec!r} is a {type(found).__name__}, not a graph: point it at a compiled "
        "graph, a StateGraph, or a function with no arguments returning one"
    )
