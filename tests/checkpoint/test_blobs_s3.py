"""``S3BlobStore`` against a real S3-compatible server: moto's, started as a process on a
free local port and reached over a socket, with SQLite and PostgreSQL savers on top."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from cairngraph.checkpoint.blobs import BlobStore, S3BlobStore
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.serde import EncryptedSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import CorruptDataError, InvalidConfigError, StorageError
from tests.checkpoint.test_blobs import BIG, _config, _save
from tests.postgres_server import fresh_schema, schema_url

CREDENTIALS = {
    "aws_access_key_id": "test",
    "aws_secret_access_key": "test",
    "region_name": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto S3 server process on a free port, stopped after the module."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the moto S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def store(endpoint: str) -> S3BlobStore:
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    bucket = "cairn-" + uuid.uuid4().hex[:12]
    client.create_bucket(Bucket=bucket)
    return S3BlobStore(bucket, prefix="checkpoints/", client=client)


def _names(store: BlobStore) -> set[str]:
    return {info.name for info in store.list()}


def test_the_store_puts_gets_lists_and_deletes(store: S3BlobStore) -> None:
    names = [f"{index:02x}" + "ab" * 16 + "." + "cd" * 8 for index in range(3)]
    for index, name in enumerate(names):
        store.put(name, bytes([index]) * 1000)
    assert store.get(names[1]) == b"\x01" * 1000
    assert store.get("ff" + "00" * 16 + "." + "00" * 8) is None
    listed = {info.name: info for info in store.list()}
    assert set(listed) == set(names) and listed[names[0]].size == 1000
    assert listed[names[0]].modified.tzinfo is not None
    store.delete([names[0], names[0]])
    assert _names(store) == set(names[1:])
    keys = [item["Key"] for item in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]
    assert all(key.startswith("checkpoints/") for key in keys)


def test_an_unreachable_server_is_a_storage_error(store: S3BlobStore) -> None:
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{_free_port()}", **CREDENTIALS)
    dead = S3BlobStore(store.bucket, client=client)
    with pytest.raises(StorageError, match="cannot write blob"):
        dead.put("ab" * 16 + "." + "00" * 8, b"x")
    with pytest.raises(InvalidConfigError, match="not both"):
        S3BlobStore("b", client=client, endpoint_url="http://x")


def test_a_missing_bucket_is_a_storage_error(endpoint: str) -> None:
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    with pytest.raises(StorageError, match="bucket"):
        S3BlobStore("no-such-bucket-" + uuid.uuid4().hex[:8], client=client).put(
            "ab" * 16 + "." + "00" * 8, b"x"
        )


def _sqlite(tmp_path: Path, store: S3BlobStore, encrypted: bool) -> Any:
    serde = EncryptedSerializer(keys={"k": b"k" * 32}) if encrypted else None
    return SqliteSaver.from_conn_string(
        str(tmp_path / "s3.db"), serde=serde, blobs=store, blob_threshold=4096
    )


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_sqlite_saver_keeps_big_values_in_s3(
    tmp_path: Path, store: S3BlobStore, encrypted: bool
) -> None:
    with _sqlite(tmp_path, store, encrypted) as saver:
        config = _save(saver, "t", {"big": BIG, "small": 1})
        _save(saver, "u", {"big": BIG})
        [name] = _names(store)
        data = store.get(name)
        assert data is not None and (b"big value" in data) is not encrypted
        assert saver.get_tuple(config).checkpoint.channel_values == {"big": BIG, "small": 1}
        assert saver.verify().ok

        store.delete([name])
        with pytest.raises(CorruptDataError, match="missing from S3BlobStore"):
            saver.get_tuple(config)


def test_a_postgres_saver_keeps_big_values_in_s3_and_frees_them(store: S3BlobStore) -> None:
    with (
        fresh_schema() as (url, schema),
        PostgresSaver.from_conn_string(
            schema_url(url, schema), blobs=store, blob_threshold=4096
        ) as saver,
    ):
        saver.setup()
        parent = None
        for step in range(3):
            parent = _save(saver, "t", {"big": f"{step}" + BIG}, parent)
        assert len(_names(store)) == 3
        saver.prune(["t"])
        assert len(_names(store)) == 1
        assert saver.get_tuple(_config("t")).checkpoint.channel_values["big"] == "2" + BIG
        saver.delete_thread("t")
        assert _names(store) == set()
