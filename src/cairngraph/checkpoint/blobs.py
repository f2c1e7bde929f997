"""Blob stores: where a saver keeps values too big for its database rows.

A saver made with ``blobs=...`` stores each content-addressed value whose
sealed body is larger than ``blob_threshold`` bytes as one object in a
:class:`BlobStore`, and keeps a small reference in its database row (see
``checkpoint/_blobs.py`` for what is stored, checked and freed).

A store holds immutable objects by name. Names are made by the saver (the
value's content address, then a token unique to the write, in hex); a store
only maps them to its medium. Two stores come with cairngraph:

- :class:`DirectoryBlobStore`: files in a local directory (fanned out by the
  first two characters of the name), each written to a temporary file,
  fsynced, then renamed into place: a reader or a crash never sees half an
  object.
- :class:`S3BlobStore`: objects in an S3 bucket, or any service that speaks
  the S3 API (MinIO, Ceph, Cloudflare R2, Google Cloud Storage's XML API),
  through ``boto3`` (``pip install 'cairngraph[s3]'``).

Any object with the four methods of :class:`BlobStore` works too. Methods are
synchronous; the async savers call them in a worker thread.

Invariants (what a saver relies on):

- ``put`` returns only once the object is durable; an object is never
  changed after it is put (the saver never puts a name twice).
- ``get`` returns exactly the bytes put, or None when there is no such object.
- ``delete`` of a name that is not there is no error.
- ``list`` yields every object with its size and when it was put.
- Failures of the medium raise :class:`~cairngraph.errors.StorageError`
  naming the store and the object.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cairngraph.errors import InvalidConfigError, StorageError

__all__ = ["BlobInfo", "BlobStore", "DirectoryBlobStore", "S3BlobStore"]

_NAME = re.compile(r"[0-9a-f]{2}[0-9a-f.]{0,126}")
"""The names savers make: lowercase hex and dots, so every medium can hold them as they are."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """One stored object as :meth:`BlobStore.list` reports it."""

    name: str
    size: int
    modified: datetime
    """When the object was put (timezone-aware, UTC)."""


@runtime_checkable
class BlobStore(Protocol):
    """Where a saver keeps big values: immutable objects by name.

    Example::

        store = DirectoryBlobStore("blobs")
        store.put("ab12", b"bytes")
        assert store.get("ab12") == b"bytes"
        store.delete(["ab12"])
    """

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name``, durably, before returning."""
        ...

    def get(self, name: str) -> bytes | None:
        """The bytes of ``name``, or None when there is no such object."""
        ...

    def delete(self, names: Sequence[str]) -> None:
        """Remove these objects; a name that is not there is skipped."""
        ...

    def list(self) -> Iterator[BlobInfo]:
        """Every stored object, in no particular order."""
        ...


def _check_name(store: object, name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidConfigError(
            f"{store}: blob name {name!r} is not a saver's blob name (lowercase hex and dots, "
            "at least 2 characters); blob stores hold only names a saver made"
        )
    return name


class DirectoryBlobStore:
    """Blobs as files under ``path`` (created if missing), one subdirectory per name prefix.

    ``fsync`` (default True) makes each object, and its directory entry,
    durable before the save that refers to it commits; turn it off only for
    scratch data.

    Example::

        from cairngraph.checkpoint.blobs import DirectoryBlobStore
        saver = SqliteSaver("checkpoints.db", blobs=DirectoryBlobStore("checkpoint-blobs"))
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"cannot create the blob directory {self.path}: {error.strerror or error}. "
                "Give a directory this process may write, or create it first."
            ) from error

    def __repr__(self) -> str:
        return f"DirectoryBlobStore({str(self.path)!r})"

    def _file(self, name: str) -> Path:
        return self.path / _check_name(self, name)[:2] / name

    def put(self, name: str, data: bytes) -> None:
        target = self._file(name)
        try:
            target.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".put-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                    if self.fsync:
                        file.flush()
                        os.fsync(file.fileno())
                os.replace(temporary, target)
            except BaseException:
                _remove(temporary)
                raise
            if self.fsync:
                _sync_directory(target.parent)
        except OSError as error:
            raise self._failed("write", name, error) from error

    def get(self, name: str) -> bytes | None:
        try:
            return self._file(name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise self._failed("read", name, error) from error

    def delete(self, names: Sequence[str]) -> None:
        for name in names:
            try:
                self._file(name).unlink(missing_ok=True)
            except OSError as error:
                raise self._failed("delete", name, error) from error

    def list(self) -> Iterator[BlobInfo]:
        try:
            for folder in sorted(self.path.iterdir()):
                if not folder.is_dir() or not _NAME.fullmatch(folder.name):
                    continue
                for file in folder.iterdir():
                    if file.name.startswith("."):
                        continue  # a put in progress, or one a crash cut short
                    stat = file.stat()
                    when = datetime.fromtimestamp(stat.st_mtime, UTC)
                    yield BlobInfo(file.name, stat.st_size, when)
        except OSError as error:
            raise self._failed("list", "", error) from error

    def _failed(self, action: str, name: str, error: OSError) -> StorageError:
        what = f"blob {name} in {self.path}" if name else f"the blobs in {self.path}"
        return StorageError(
            f"cannot {action} {what}: {error.strerror or error}. Check that the directory "
            "exists, is writable by this process, and that its disk is not full."
        )


def _remove(path: str) -> None:
    """Remove a temporary file a failed put leaves (it may already be gone)."""
    Path(path).unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX: fsync the directory itself)."""
    if os.name != "posix":
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class S3BlobStore:
    """Blobs as objects in an S3 bucket (or any S3-compatible service), under ``prefix``.

    Give a ready ``client`` (``boto3.client("s3", ...)``), or let the store make
    one from ``endpoint_url`` and the usual boto3 settings (environment,
    ``~/.aws``). The bucket must exist.

    Example::

        from cairngraph.checkpoint.blobs import S3BlobStore
        blobs = S3BlobStore("my-bucket", prefix="checkpoints/")
        saver = PostgresSaver.from_conn_string(uri, blobs=blobs)
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        client: Any = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
    ) -> None:
        if not bucket:
            raise InvalidConfigError("S3BlobStore needs a bucket name")
        if client is not None and (endpoint_url is not None or region_name is not None):
            raise InvalidConfigError(
                "S3BlobStore: give either client= or endpoint_url=/region_name=, not both "
                "(a client already knows its endpoint and region)"
            )
        if client is None:
            client = _client(endpoint_url, region_name)
        self.bucket, self.prefix, self.client = bucket, prefix, client

    def __repr__(self) -> str:
        return f"S3BlobStore({self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, name: str) -> str:
        return self.prefix + _check_name(self, name)[:2] + "/" + name

    def put(self, name: str, data: bytes) -> None:
        key = self._key(name)
        self._call(
            "write", name, lambda: self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        )

    def get(self, name: str) -> bytes | None:
        key = self._key(name)
        errors = self.client.exceptions

        def fetch() -> bytes | None:
            try:
                reply = self.client.get_object(Bucket=self.bucket, Key=key)
            except errors.NoSuchKey:
                return None
            body: bytes = reply["Body"].read()
            return body

        return self._call("read", name, fetch)  # type: ignore[no-any-return]

    def delete(self, names: Sequence[str]) -> None:
        keys = [self._key(name) for name in names]
        for start in range(0, len(keys), 1000):  # the API's most keys per request
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            reply = self._call(
                "delete",
                names[start],
                lambda chunk=chunk: self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True}
                ),
            )
            failed = reply.get("Errors") or []
            if failed:
                first = failed[0]
                raise StorageError(
                    f"cannot delete {len(failed)} blob(s) in {self}: {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message')}. Check the credentials' "
                    "s3:DeleteObject permission on the bucket."
                )

    def list(self) -> Iterator[BlobInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call(
            "list", "", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix))
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :].rpartition("/")[2]
                if _NAME.fullmatch(name):
                    when = item["LastModified"]
                    yield BlobInfo(name, int(item["Size"]), when.astimezone(UTC))

    def _call(self, action: str, name: str, call: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except (BotoCoreError, ClientError) as error:
            what = f"blob {name} in {self}" if name else f"the blobs of {self}"
            raise StorageError(
                f"cannot {action} {what}: {error}. Check the endpoint, the credentials, and "
                "that the bucket exists."
            ) from error


def _client(endpoint_url: str | None, region_name: str | None) -> Any:
    try:
        import boto3
    except ImportError as error:
        raise InvalidConfigError(
            "S3BlobStore needs the `boto3` package: pip install 'cairngraph[s3]'"
        ) from error
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region_name)
