"""``--blobs``: stores whose big values live in a blob store (a directory, S3, on SQLite and
PostgreSQL) are read, checked, copied, pruned and served by naming that store."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from click.testing import Result

from cairngraph.checkpoint.blobs import BlobStore, DirectoryBlobStore, S3BlobStore
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.cli._open import load_graph
from tests.checkpoint.test_blobs_s3 import CREDENTIALS, endpoint
from tests.cli.helpers import JOKES, ROOT, as_json, fill, invoke, make_store, process

__all__ = ["endpoint"]  # the moto S3 server fixture, used by the S3 tests below

BIG_TOPIC = "owls " * 20_000  # 100 KB: above the default blob threshold of CLI writes


def _objects(store: BlobStore) -> set[str]:
    return {info.name for info in store.list()}


def _fill_with_blobs(db: Path, blobs: BlobStore) -> None:
    """:func:`fill`'s threads and one with a 100 KB topic, every value in ``blobs``."""
    with SqliteSaver.from_conn_string(str(db), blobs=blobs, blob_threshold=0) as saver:
        fill(saver)
        big = {"configurable": {"thread_id": "big"}}
        load_graph(JOKES, saver).invoke({"topic": BIG_TOPIC}, big)


@pytest.fixture
def plain(tmp_path: Path) -> str:
    """A store without a blob store."""
    return make_store(str(tmp_path / "plain.db"))


@pytest.fixture
def blob_store(tmp_path: Path) -> tuple[str, str]:
    """A SQLite store and the blob directory that holds all of its values."""
    db, folder = tmp_path / "runs.db", tmp_path / "blobs"
    _fill_with_blobs(db, DirectoryBlobStore(folder))
    return str(db), str(folder)


def test_without_the_blob_store_reads_fail_in_one_line_naming_the_option(
    blob_store: tuple[str, str],
) -> None:
    db, _folder = blob_store
    checked = invoke("--db", db, "verify")
    assert checked.exit_code == 1
    assert "blob store" in checked.stdout and "--blobs" in checked.stderr
    report = as_json_failing(invoke("--db", db, "verify", "--json"))
    assert not report["ok"] and all("blob store" in p["message"] for p in report["problems"])
    shown = invoke("--db", db, "show", "big")
    assert shown.exit_code == 3 and shown.stderr.count("\n") == 1
    assert shown.stderr.startswith("Error: ") and "--blobs" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_without_the_blob_store_the_hint_says_how_to_pass_it_not_to_restore(
    blob_store: tuple[str, str],
) -> None:
    db, _folder = blob_store
    shown = invoke("--db", db, "show", "big")
    assert "CAIRN_BLOBS" in shown.stderr and "intact" in shown.stderr
    assert "backup" not in shown.stderr
    checked = invoke("--db", db, "verify")
    assert "backup" not in checked.stdout and "CAIRN_BLOBS" in checked.stderr


def as_json_failing(result: Result) -> dict[str, object]:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize("where", ["group", "command", "env"])
def test_the_blob_store_is_named_before_after_the_command_or_in_the_environment(
    blob_store: tuple[str, str], where: str
) -> None:
    db, folder = blob_store
    args = {
        "group": (["--db", db, "--blobs", folder], []),
        "command": (["--db", db], ["--blobs", folder]),
        "env": (["--db", db], []),
    }[where]
    env = {"CAIRN_BLOBS": folder if where == "env" else ""}

    def run(*command: str) -> dict[str, object]:
        return dict(as_json(invoke(*args[0], *command, *args[1], "--json", env=env)))

    report = run("verify")
    assert report["ok"] is True and report["problems"] == []
    with SqliteSaver.from_conn_string(db, blobs=DirectoryBlobStore(folder)) as saver:
        expected = load_graph(JOKES, saver).get_state({"configurable": {"thread_id": "t2"}})
    assert dict(run("show", "t2")["values"]) == expected.values  # type: ignore[call-overload]
    assert run("show", "big")["values"]["topic"] == BIG_TOPIC  # type: ignore[index]
    history = run("history", "t2")["checkpoints"]
    assert len(history) == 5  # type: ignore[arg-type]
    assert {t["thread_id"] for t in run("threads")["threads"]} >= {"t1", "big"}  # type: ignore[attr-defined, union-attr]


def test_the_command_option_wins_over_the_group_and_the_environment(
    blob_store: tuple[str, str], tmp_path: Path
) -> None:
    db, folder = blob_store
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"CAIRN_BLOBS": str(empty)}
    assert invoke("--db", db, "verify", env=env).exit_code == 1
    assert invoke("--db", db, "--blobs", str(empty), "verify", "--blobs", folder).exit_code == 0
    assert invoke("--db", db, "--blobs", folder, "verify", env=env).exit_code == 0


def test_export_then_import_into_another_store_and_blob_directory(
    blob_store: tuple[str, str], tmp_path: Path
) -> None:
    db, folder = blob_store
    out = tmp_path / "all.jsonl"
    assert invoke("--db", db, "--blobs", folder, "export", "-o", str(out)).exit_code == 0
    assert BIG_TOPIC in out.read_text()
    copy, copy_blobs = str(tmp_path / "copy.db"), tmp_path / "copy-blobs"
    imported = invoke("--db", copy, "--blobs", str(copy_blobs), "import", str(out))
    assert imported.exit_code == 0, imported.stderr
    # The import's big values went to the new blob directory, by the default threshold.
    names = _objects(DirectoryBlobStore(copy_blobs))
    assert names and not names & _objects(DirectoryBlobStore(folder))
    assert invoke("--db", copy, "verify").exit_code == 1
    assert as_json(invoke("--db", copy, "--blobs", str(copy_blobs), "verify", "--json"))["ok"]
    shown = as_json(invoke("--db", copy, "--blobs", str(copy_blobs), "show", "big", "--json"))
    assert shown["values"]["topic"] == BIG_TOPIC


def test_prune_and_delete_free_the_objects_of_what_they_remove(
    blob_store: tuple[str, str],
) -> None:
    db, folder = blob_store
    store = DirectoryBlobStore(folder)
    before = _objects(store)
    pruned = invoke("--db", db, "--blobs", folder, "prune", "big", "--yes")
    assert pruned.exit_code == 0, pruned.stderr
    after_prune = _objects(store)
    assert after_prune < before
    deleted = invoke("--db", db, "--blobs", folder, "delete", "big", "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    assert _objects(store) < after_prune
    assert as_json(invoke("--db", db, "--blobs", folder, "verify", "--json"))["ok"] is True


def test_fork_and_run_write_through_the_blob_store(blob_store: tuple[str, str]) -> None:
    db, folder = blob_store
    forked = invoke("--db", db, "--blobs", folder, "fork", "big", "latest", "--to", "big-2")
    assert forked.exit_code == 0, forked.stderr
    shown = as_json(invoke("--db", db, "--blobs", folder, "show", "big-2", "--json"))
    assert shown["values"]["topic"] == BIG_TOPIC
    before = _objects(DirectoryBlobStore(folder))
    ran = invoke(
        "--db", db, "--blobs", folder, "--graph", JOKES, "run", "--thread", "new",
        "--input", '{"topic": "' + "geese " * 20_000 + '"}',
    )  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    assert len(_objects(DirectoryBlobStore(folder))) > len(before)
    assert as_json(invoke("--db", db, "--blobs", folder, "verify", "--json"))["ok"] is True


def test_a_bad_blob_store_is_refused_and_read_commands_create_nothing(
    blob_store: tuple[str, str], tmp_path: Path
) -> None:
    db, _folder = blob_store
    missing = tmp_path / "no-such-dir"
    refused = invoke("--db", db, "--blobs", str(missing), "threads")
    assert refused.exit_code == 3 and "does not exist" in refused.stderr
    assert not missing.exists()
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert "not a directory" in invoke("--db", db, "--blobs", str(afile), "threads").stderr
    for spec, says in (("ftp://host/x", "scheme 'ftp'"), ("s3://", "names no bucket")):
        bad = invoke("--db", db, "--blobs", spec, "threads")
        assert bad.exit_code == 2 and says in bad.stderr and bad.stderr.count("\n") == 1


def test_blobs_is_documented_for_every_command_that_opens_a_store() -> None:
    from cairngraph.cli import cli

    for name, command in cli.commands.items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert "--blobs" in options, f"cairn {name} has no --blobs"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inspector(blob_store: tuple[str, str]) -> Iterator[str]:
    """``cairn ui --blobs`` in a real process; its URL."""
    db, folder = blob_store
    port = _free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "cairngraph.cli", "--db", db, "ui", "--blobs", folder,
         "--port", str(port), "--read-only"],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        found = re.search(r"(http://\S+)", child.stdout.readline())
        assert found, "cairn ui printed no URL"
        deadline = time.monotonic() + 20
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "cairn ui did not listen"
            time.sleep(0.05)
        yield found.group(1)
    finally:
        child.terminate()
        child.wait(10)


def test_the_inspector_reads_values_from_the_blob_store(inspector: str) -> None:
    page = httpx.get(inspector + "thread?thread_id=big")
    assert page.status_code == 200
    latest = re.search(r"checkpoint_id=([0-9a-f-]{36})", page.text)
    assert latest
    raw = httpx.get(inspector + f"state.json?thread_id=big&checkpoint_id={latest.group(1)}")
    assert raw.status_code == 200 and raw.json()["values"]["topic"] == BIG_TOPIC


# -- S3 (moto's server) and PostgreSQL -------------------------------------------------


@pytest.fixture
def bucket(endpoint: str) -> Iterator[tuple[S3BlobStore, dict[str, str]]]:
    """A fresh bucket on the moto server, and the environment that points boto3 at it."""
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    name = "cairn-cli-" + uuid.uuid4().hex[:10]
    client.create_bucket(Bucket=name)
    env = {
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": CREDENTIALS["region_name"],
    }
    yield S3BlobStore(name, prefix="cp/", client=client), env


def test_an_s3_blob_store_is_named_by_url(
    bucket: tuple[S3BlobStore, dict[str, str]], tmp_path: Path
) -> None:
    store, env = bucket
    db = str(tmp_path / "s3.db")
    _fill_with_blobs(Path(db), store)
    assert _objects(store)
    url = f"s3://{store.bucket}/cp/"
    assert as_json(invoke("--db", db, "--blobs", url, "verify", "--json", env=env))["ok"]
    shown = as_json(invoke("--db", db, "--blobs", url, "show", "big", "--json", env=env))
    assert shown["values"]["topic"] == BIG_TOPIC
    # Another prefix is another store: its objects are missing there, and verify says so.
    wrong = invoke("--db", db, "--blobs", f"s3://{store.bucket}/other/", "verify", env=env)
    assert wrong.exit_code == 1 and "missing from S3BlobStore" in wrong.stdout
    # And in a real process, from the environment alone.
    checked = process("--db", db, "verify", "--json", env={**env, "CAIRN_BLOBS": url})
    assert checked.returncode == 0, checked.stderr
    before = _objects(store)
    pruned = invoke("--db", db, "--blobs", url, "prune", "big", "--yes", env=env)
    assert pruned.exit_code == 0 and _objects(store) < before


def test_a_postgres_store_with_a_blob_directory(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "pg-blobs"
    with PostgresSaver.from_conn_string(
        pg_url, blobs=DirectoryBlobStore(folder), blob_threshold=0
    ) as saver:
        saver.setup()
        load_graph(JOKES, saver).invoke({"topic": BIG_TOPIC}, {"configurable": {"thread_id": "p"}})
    assert invoke("--db", pg_url, "show", "p").exit_code == 3
    blobs = ["--db", pg_url, "--blobs", str(folder)]
    assert as_json(invoke(*blobs, "verify", "--json"))["ok"] is True
    assert as_json(invoke(*blobs, "show", "p", "--json"))["values"]["topic"] == BIG_TOPIC
    forked = invoke(*blobs, "fork", "p", "latest", "--to", "p2")
    assert forked.exit_code == 0, forked.stderr
    assert as_json(invoke(*blobs, "show", "p2", "--json"))["values"]["topic"] == BIG_TOPIC


def test_stats_counts_the_blob_store(blob_store: tuple[str, str], plain: str) -> None:
    db, folder = blob_store
    objects = DirectoryBlobStore(folder)
    with_blobs = as_json(invoke("--db", db, "--blobs", folder, "stats", "--json"))
    assert with_blobs["blob_store"] == {
        "store": folder,
        "objects": len(_objects(objects)),
        "bytes": sum(info.size for info in objects.list()),
    }
    assert with_blobs["blob_store"]["bytes"] > len(BIG_TOPIC)
    assert as_json(invoke("--db", plain, "stats", "--json"))["blob_store"] is None
    assert invoke("--db", db, "stats").exit_code == 3  # its values need the blob store
    text = invoke("--db", db, "--blobs", folder, "stats")
    assert f"blob store {folder}: {len(_objects(objects))} object(s)" in text.stdout
