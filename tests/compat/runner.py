"""Run one compatibility program on one engine, in-process, and return what it printed.

A program is a standalone file written the way LangGraph users write theirs
(``from langgraph.graph import StateGraph`` ... ``print(...)``). On
``"langgraph"`` its source runs as is; on ``"cairngraph"`` only the import
prefixes change: a line starting with ``from langgraph`` or ``import langgraph``
(after indentation) gets ``cairngraph`` instead. Nothing else in the source is
touched, so a string or a comment mentioning langgraph stays as written.

Each run:

- executes in a fresh module object registered in ``sys.modules`` under a
  unique name (dataclasses, pydantic and TypedDict resolve their module there;
  savers that store a class by module name find it), removed afterwards;
- runs with its working directory set to a fresh temporary directory, so
  SQLite files do not leak between runs;
- gets a fresh PostgreSQL schema when its source mentions
  ``COMPAT_POSTGRES_URL``: the variable is set to a URI whose
  ``search_path`` is that schema, and the schema is dropped afterwards;
- is bounded by a timeout (SIGALRM when run on the main thread);
- has stdout captured. An exception escaping the program is recorded as one
  last line, ``<raised> TypeName: first line of the message``.

:func:`normalize` then makes outputs of the two engines comparable: ISO
timestamps become ``<ts>``, memory addresses ``<addr>``, and every id-looking
token (UUID-shaped, or a run of 16+ lowercase hex digits) becomes ``<id1>``,
``<id2>``... numbered by first appearance, so "these two ids are the same"
survives normalization while the id values themselves do not matter.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import signal
import sys
import tempfile
import threading
import types
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("langgraph", "cairngraph")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_VARIABLE = "COMPAT_POSTGRES_URL"
DEFAULT_TIMEOUT = 20.0

_IMPORT_LINE = re.compile(r"^(\s*)(from|import)(\s+)langgraph\b", re.MULTILINE)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
    r"-[0-9a-fA-F]{12}|[0-9a-f]{16,})(?![0-9A-Za-z])"
)
_counter = itertools.count()


class ProgramTimeout(BaseException):
    """The program ran longer than its timeout (a BaseException: ``except Exception`` in a
    program must not swallow it)."""


@dataclass(frozen=True, slots=True)
class Observation:
    """What one run of a program showed: its stdout, and the escaping error if any."""

    output: str
    error: str | None
    detail: str | None = None  # the whole error message on one line, for reports

    @property
    def text(self) -> str:
        """The output with the error, if any, as a last line."""
        if self.error is None:
            return self.output
        return f"{self.output}<raised> {self.error}\n"


def translate(source: str, engine: str) -> str:
    """The program's source as it is run on ``engine``."""
    if engine == "langgraph":
        return source
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    return _IMPORT_LINE.sub(rf"\1\2\3{engine}", source)


def normalize(text: str) -> str:
    """Replace timestamps, addresses and ids (numbered by first appearance)."""
    text = _TIMESTAMP.sub("<ts>", text)
    text = _ADDRESS.sub("<addr>", text)
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        token = match.group(0).lower()
        numbers.setdefault(token, len(numbers) + 1)
        return f"<id{numbers[token]}>"

    return _ID.sub(number, text)


def run_program(path: Path, engine: str, timeout: float = DEFAULT_TIMEOUT) -> Observation:
    """Run the program at ``path`` on ``engine`` and return what it showed."""
    source = translate(path.read_text(), engine)
    code = compile(source, str(path), "exec")
    name = f"compat_program_{engine}_{path.stem}_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    buffer = io.StringIO()
    error: str | None = None
    detail: str | None = None
    sys.modules[name] = module
    try:
        with (
            _fresh_directory(),
            _postgres_schema(enabled=POSTGRES_VARIABLE in source),
            contextlib.redirect_stdout(buffer),
            _deadline(timeout),
        ):
            exec(code, module.__dict__)
    except (Exception, ProgramTimeout, SystemExit) as exc:  # noqa: BLE001 - the observation
        error = _describe(exc)
        detail = " ".join(str(exc).split())
    finally:
        sys.modules.pop(name, None)
    return Observation(output=buffer.getvalue(), error=error, detail=detail)


def _describe(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip()


@contextlib.contextmanager
def _fresh_directory() -> Iterator[None]:
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="compat_") as directory:
        os.chdir(directory)
        try:
            yield
        finally:
            os.chdir(previous)


@contextlib.contextmanager
def _postgres_schema(*, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    import psycopg

    base = os.environ.get(POSTGRES_VARIABLE, DEFAULT_POSTGRES_URL)
    schema = f"compat_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    options = urllib.parse.quote(f"-csearch_path={schema}")
    previous = os.environ.get(POSTGRES_VARIABLE)
    os.environ[POSTGRES_VARIABLE] = f"{base}{separator}options={options}"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[POSTGRES_VARIABLE]
        else:
            os.environ[POSTGRES_VARIABLE] = previous
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread; pytest-timeout still bounds the test
        return

    def expire(signum: int, frame: object) -> None:
        raise ProgramTimeout(f"the program ran longer than {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def main(argv: list[str]) -> int:
    """``python -m tests.compat.runner PROGRAM [ENGINE]``: print one run, normalized."""
    path = Path(argv[0])
    for engine in argv[1:] or list(ENGINES):
        print(f"=== {engine}")
        print(normalize(run_program(path, engine).text), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
