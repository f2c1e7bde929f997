"""The PostgreSQL server the tests use.

``CAIRNGRAPH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
When it does not answer: in CI (``CI`` set) that is a failure, never a skip;
on a developer's machine a throwaway server is started from the machine's
PostgreSQL binaries (``initdb``/``pg_ctl``) in a temporary folder, so
``make test`` passes on a fresh machine too.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


@cache
def server_url() -> str:
    url = os.environ.get("CAIRNGRAPH_POSTGRES_URL", DEFAULT_URL)
    if _answers(url):
        return url
    if os.environ.get("CI"):
        raise RuntimeError(
            f"PostgreSQL does not answer at {url} (CAIRNGRAPH_POSTGRES_URL). CI must test "
            "against a real server: start it, or point CAIRNGRAPH_POSTGRES_URL at one."
        )
    return _throwaway()


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(
            "no PostgreSQL server answers and no initdb/pg_ctl is installed to start one; "
            "install PostgreSQL or set CAIRNGRAPH_POSTGRES_URL"
        )
    return found[-1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses to run as root
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _throwaway() -> str:
    folder = tempfile.mkdtemp(prefix="cairngraph-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = os.path.join(folder, "data"), _free_port()
    subprocess.run(
        _as_server_user([_binary("initdb"), "-D", data, "-U", "postgres", "-A", "trust"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                _binary("pg_ctl"),
                "-D",
                data,
                "-o",
                options,
                "-w",
                "-l",
                os.path.join(folder, "log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    atexit.register(
        lambda: subprocess.run(
            _as_server_user([_binary("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
        )
    )
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


@contextmanager
def fresh_schema() -> Iterator[tuple[str, str]]:
    """A new, empty schema for one test: ``(server url, schema name)``; dropped afterwards."""
    url = server_url()
    schema = f"cg_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def schema_url(url: str, schema: str) -> str:
    """``url`` with the schema as its search path."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
