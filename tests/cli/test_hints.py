"""The remedy ``cairn`` adds to an error line follows the error's type, never its wording."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.cli._app import CairnGroup
from cairngraph.errors import (
    CairnGraphError,
    CorruptDataError,
    ReadOnlyStorageError,
    StaleSchemaError,
    UnregisteredTypeError,
    UnstorableTypeError,
)
from tests.cli.helpers import invoke

GRAPH_HINT = "pass --graph module:attr"
MIGRATE_HINT = "cairn migrate --db"


def test_an_old_file_opened_read_only_points_at_cairn_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SqliteSaver(path).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE cairn_meta SET value = '1' WHERE key = 'schema_version'")
    result = invoke("--db", str(path), "threads")
    assert result.exit_code == 3, result.stderr
    assert MIGRATE_HINT in result.stderr and result.stderr.count("\n") == 1
    with pytest.raises(StaleSchemaError):  # the type the hint is chosen by
        SqliteSaver(path, read_only=True).close()


def _raising(error: CairnGraphError) -> str:
    """The stderr line of a real ``CairnGroup`` whose one command raises ``error``."""

    @click.group(cls=CairnGroup)
    def group() -> None:
        pass

    @group.command()
    def fail() -> None:
        raise error

    result = CliRunner().invoke(group, ["fail"], catch_exceptions=False)
    assert result.exit_code != 0
    return result.stderr


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (UnregisteredTypeError("app.Order is unknown here"), GRAPH_HINT),
        (StaleSchemaError("the file is behind this cairngraph"), MIGRATE_HINT),
    ],
)
def test_the_hint_follows_the_type_in_any_wording(error: CairnGraphError, hint: str) -> None:
    assert hint in _raising(error)


@pytest.mark.parametrize(
    "error",
    [
        UnstorableTypeError("a numpy array is not registered and cannot be registered"),
        CorruptDataError("stored app.Order is an object, but the registered class is an Enum"),
        ReadOnlyStorageError("its tables cannot be created or upgraded: read-only"),
    ],
)
def test_words_alone_bring_no_hint(error: CairnGraphError) -> None:
    line = _raising(error)
    assert GRAPH_HINT not in line and MIGRATE_HINT not in line
