"""Big values by reference: value bodies kept in a blob store, a small reference in the row.

A value row (``_format.py``: ``address → base, body``) whose sealed body is
longer than the saver's ``blob_threshold`` is stored as one object of its
:class:`~cairngraph.checkpoint.blobs.BlobStore`; the row keeps, as its body,
a reference::

    0x03 | token (8 bytes) | length (8 bytes, big-endian) | BLAKE2b-128 of the object

The object holds the sealed body exactly as the row would have (checksummed,
or AES-GCM encrypted and bound to the value's address by the saver's
serializer), named ``<address hex>.<token hex>``. The first byte tells a
reference from a body in place (a seal's format byte is 0x01 or 0x02).

Invariants:

- An object is put, durably, before the transaction whose row names it
  commits; a row names exactly one object, by its token.
- Tokens are random and never reused, so an object is never overwritten and
  no row other than the one that named it can come to name it. Two saves of
  the same content (another thread, the same step in two processes) each put
  an object; the row stored first names its own, and the other save deletes
  the one its row did not get (:meth:`Blobs.unclaimed`). So the same content
  is one object once the saves are done, and the random nonces of encrypted
  bodies are harmless: each object is checked against the digest of its own
  bytes.
- An object is deleted only once no row can name it again: after the
  transaction that deleted its row commits (the lifecycle's prune, delete,
  retention), or, for objects a save put but never committed (a crash, a
  refused save), by the collector (:func:`orphans`), which deletes objects no
  row names that are older than a grace period, so an object put for a save
  still in flight is never deleted under it.
- On read, an object that is missing or whose length or digest differs is a
  :class:`~cairngraph.errors.CorruptDataError` naming the value address, and
  the thread, namespace, checkpoint and channel that needed it; then the
  body's seal is checked as for a body in place. A reference read by a saver
  that has no blob store is a :class:`~cairngraph.errors.MissingBlobStoreError`
  (nothing is wrong with the data; the saver needs ``blobs=``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairngraph.checkpoint.blobs import BlobInfo, BlobStore
from cairngraph.errors import CorruptDataError, InvalidConfigError, MissingBlobStoreError

__all__ = [
    "BLOB_THRESHOLD",
    "EXTERNAL",
    "Blobs",
    "Unfetched",
    "Upload",
    "collect",
    "freed",
    "name_of",
    "orphans",
]

EXTERNAL = 0x03
"""First byte of a value body that is a reference to a blob."""
BLOB_THRESHOLD = 64 * 1024
"""Default size (sealed bytes) above which a value goes to the blob store."""

_TOKEN = 8
_LENGTH = 8
_DIGEST = 16
REF_SIZE = 1 + _TOKEN + _LENGTH + _DIGEST
_EXTERNAL_BYTE = bytes((EXTERNAL,))


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST, person=b"cairn-blob").digest()


def is_reference(body: bytes) -> bool:
    """Whether a value row's body is a reference to a blob."""
    return len(body) == REF_SIZE and body[0] == EXTERNAL


def name_of(address: bytes, body: bytes | None) -> str | None:
    """The object a value row's body names, or None when the body is in place."""
    if body is None or not is_reference(bytes(body)):
        return None
    return address.hex() + "." + bytes(body)[1 : 1 + _TOKEN].hex()


def address_of(name: str) -> bytes | None:
    """The value address an object's name starts with, or None for a name no saver made."""
    address, dot, token = name.partition(".")
    try:
        if dot and len(token) == 2 * _TOKEN:
            return bytes.fromhex(address)
    except ValueError:
        return None
    return None


def freed(rows: Iterable[Sequence[Any]]) -> list[str]:
    """The objects named by deleted value rows ``(address, body or None)``."""
    found = (name_of(bytes(address), body) for address, body in rows)
    return sorted(name for name in found if name is not None)


@dataclass(frozen=True, slots=True)
class Upload:
    """One object a save puts: the value it belongs to, its name, its bytes."""

    address: bytes
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Unfetched:
    """Why a value's body could not be fetched from its blob: ``problem`` follows "the
    value ..." in the message of the error ``kind`` the reader raises or reports."""

    problem: str
    kind: type[CorruptDataError] = CorruptDataError


class Blobs:
    """One saver's blob store and threshold, or none (every body stays in its row).

    Made once, from the saver's options (:meth:`of`); the format holds it
    (``Format.blobs``), so every backend offloads, fetches and frees the same way.
    """

    def __init__(self, store: BlobStore | None = None, threshold: int = BLOB_THRESHOLD) -> None:
        self.store = store
        self.threshold = threshold

    @classmethod
    def of(cls, store: Any, threshold: Any) -> Blobs:
        """The saver options ``blobs=``, ``blob_threshold=``, checked."""
        if store is not None and not isinstance(store, BlobStore):
            raise InvalidConfigError(
                f"blobs={store!r}: give a blob store (DirectoryBlobStore(path), "
                "S3BlobStore(bucket, ...), or an object with put, get, delete and list)"
            )
        if type(threshold) is not int or threshold < 0:
            raise InvalidConfigError(
                f"blob_threshold={threshold!r}: give a size in bytes (an int, 0 or more); "
                "values whose stored body is larger go to the blob store"
            )
        return cls(store, threshold)

    # -- saving --------------------------------------------------------------------

    def offload(self, values: dict[bytes, Any]) -> list[Upload]:
        """Each value row of ``values`` over the threshold: its body replaced by a reference.

        ``values`` maps addresses to ``ValueRow``; the objects to put are returned.
        """
        if self.store is None:
            return []
        uploads = []
        for address, row in values.items():
            body = row.body
            if len(body) <= self.threshold:
                continue
            token = os.urandom(_TOKEN)
            reference = _EXTERNAL_BYTE + token + len(body).to_bytes(_LENGTH, "big")
            reference += _digest(body)
            values[address] = row._replace(body=reference)
            uploads.append(Upload(address, address.hex() + "." + token.hex(), body))
        return uploads

    def put(self, uploads: Sequence[Upload]) -> None:
        """Put every object (before the transaction that names them commits)."""
        if uploads:
            store = self._store()
            for upload in uploads:
                store.put(upload.name, upload.data)

    def unclaimed(self, uploads: Sequence[Upload], current: Mapping[bytes, Any]) -> list[str]:
        """The objects of ``uploads`` no row names: the value was stored before (or freed).

        ``current`` maps addresses to the body their row has now, once the save is stored.
        """
        return [
            upload.name
            for upload in uploads
            if name_of(upload.address, current.get(upload.address)) != upload.name
        ]

    def delete(self, names: Sequence[str]) -> None:
        """Delete these objects; with no store there is nothing this saver can reach (a
        saver opened with the store collects them: ``collect_blobs``)."""
        if names and self.store is not None:
            self.store.delete(names)

    # -- reading -------------------------------------------------------------------

    def resolve(self, rows: Iterable[Any]) -> tuple[list[Any], dict[bytes, Unfetched]]:
        """Value rows with each reference replaced by its object's bytes, checked.

        Returns the rows (``ValueRow``) and, for each value whose object is missing or
        changed, what is wrong (the caller names the place that needed it).
        """
        found: list[Any] = []
        problems: dict[bytes, Unfetched] = {}
        for row in rows:
            body = bytes(row.body)
            if not is_reference(body):
                found.append(row)
                continue
            address = bytes(row.address)
            data, problem = self._fetch(address, body)
            if problem is not None:
                problems[address] = problem
            else:
                found.append(row._replace(body=data))
        return found, problems

    def _fetch(self, address: bytes, reference: bytes) -> tuple[bytes, Unfetched | None]:
        name = name_of(address, reference)
        if self.store is None:
            problem = f"is kept in a blob store (object {name}), and this saver was given none"
            return b"", Unfetched(problem, MissingBlobStoreError)
        data = self.store.get(str(name))
        if data is None:
            missing = f"has its body in blob {name}, which is missing from {self.store}"
            return b"", Unfetched(missing)
        length = int.from_bytes(reference[1 + _TOKEN : 1 + _TOKEN + _LENGTH], "big")
        if len(data) != length or _digest(data) != reference[1 + _TOKEN + _LENGTH :]:
            return b"", Unfetched(
                f"has its body in blob {name} of {self.store}, which has changed "
                f"({len(data)} bytes, {length} expected, or different bytes)"
            )
        return data, None

    def _store(self) -> BlobStore:
        assert self.store is not None, "only a saver with a blob store offloads"
        return self.store


def collect(
    blobs: Blobs, bodies: Callable[[list[bytes]], Mapping[bytes, Any]], cutoff: datetime
) -> int:
    """Delete the objects put before ``cutoff`` that no value row names; return how many.

    ``bodies`` reads the body each value row at these addresses has now (the backend's
    query). Objects are listed first, rows read after: a row committed meanwhile is seen.
    """
    if blobs.store is None:
        return 0
    old = [info for info in blobs.store.list() if info.modified < cutoff]
    addresses = sorted({a for a in (address_of(info.name) for info in old) if a is not None})
    if not addresses:
        return 0
    names = orphans(old, bodies(addresses), cutoff)
    blobs.delete(names)
    return len(names)


def orphans(infos: Iterable[BlobInfo], current: Mapping[bytes, Any], cutoff: datetime) -> list[str]:
    """The objects put before ``cutoff`` that no value row names (``current``: address → body).

    An object put after ``cutoff`` may belong to a save still in flight: it is kept.
    """
    found = []
    for info in infos:
        address = address_of(info.name)
        if address is None or info.modified >= cutoff:
            continue
        if name_of(address, current.get(address)) != info.name:
            found.append(info.name)
    return sorted(found)
