"""The PostgreSQL server the tests use, and throwaway servers the tests may restart.

``CAIRNGRAPH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
is tried first. When it does not answer: in CI (``CI`` set) that is a test
failure, never a skip; on a developer's machine a throwaway server is started
from the machine's PostgreSQL binaries (``initdb``/``pg_ctl`` from
``/usr/lib/postgresql/*/bin`` or the ``PATH``) in a temporary folder, on a free
port, and stopped when the test session ends, so ``make test`` passes on a
fresh machine too.

Each test gets a fresh schema (:func:`fresh_schema`), dropped afterwards, so
tests never see each other's rows.
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
import pytest

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
    """The URL of the server for this test session (started on first use if need be)."""
    url = os.environ.get("CAIRNGRAPH_POSTGRES_URL", DEFAULT_URL)
    if _answers(url):
        return url
    if os.environ.get("CI"):
        raise RuntimeError(
            f"PostgreSQL does not answer at {url} (CAIRNGRAPH_POSTGRES_URL). CI must test "
            "against a real server: start it, or point CAIRNGRAPH_POSTGRES_URL at one."
        )
    return Throwaway.start().url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of the test session's PostgreSQL server (see :func:`server_url`)."""
    return server_url()


def binaries_found() -> bool:
    """Whether this machine can start a PostgreSQL server of its own."""
    return bool(_binaries("initdb"))


def _binaries(name: str) -> list[str]:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    on_path = shutil.which(name)
    return found or ([on_path] if on_path else [])


def _binary(name: str) -> str:
    found = _binaries(name)
    if not found:
        raise RuntimeError(
            f"no PostgreSQL server answers and no {name} is installed to start one; install "
            "PostgreSQL's server package or set CAIRNGRAPH_POSTGRES_URL to a running server"
        )
    return found[-1]  # the newest version installed


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Throwaway:
    """A PostgreSQL server of its own in a temporary folder (trust auth, no fsync).

    Example::

        server = Throwaway.start()
        server.restart()      # every open connection breaks
        server.stop()
    """

    def __init__(self, folder: str, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = os.path.join(folder, "data")
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    @classmethod
    def start(cls) -> Throwaway:
        folder = tempfile.mkdtemp(prefix="cairngraph-pg-")
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        server = cls(folder, _free_port())
        initdb = [_binary("initdb"), "-D", server.data, "-U", "postgres", "-A", "trust"]
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
        server._pg_ctl("start")
        atexit.register(server.stop)
        return server

    def restart(self) -> None:
        """Restart the server at once ("fast" shutdown: open sessions are ended)."""
        self._pg_ctl("restart")

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._pg_ctl("stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pg_ctl(self, action: str, check: bool = True) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [_binary("pg_ctl"), "-D", self.data, "-o", options, "-m", "fast", "-w"]
        command += ["-l", os.path.join(self.folder, "log"), action]
        subprocess.run(
            _as_server_user(command),
            check=check,
            # The server inherits pg_ctl's output: give it no pipe to hold open.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )


@contextmanager
def fresh_schema(url: str | None = None) -> Iterator[tuple[str, str]]:
    """A new, empty schema for one test: ``(server url, schema name)``; dropped afterwards."""
    url = url or server_url()
    schema = f"cg_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def schema_url(url: str, schema: str) -> str:
    """``url`` with ``schema`` as its search path: cairngraph's tables land in it."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
