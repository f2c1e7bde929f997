"""How a saver protects each stored payload: a checksum, or AES-GCM, bound to its place.

A saver stores every payload (checkpoint record, pending writes, value)
through a :class:`Seal`, together with the bytes of the *place* the payload
belongs to (which table, thread, namespace, checkpoint, task, value address).
The place is never stored inside the payload; it is given again on
:meth:`Seal.open`, so a payload copied to another place fails its check.

Stored layout, first byte the format::

    0x01 | checksum (8 bytes, BLAKE2b of place + content) | content      plain
    0x02 | key-id length | key id | nonce (12) | AES-GCM(content, aad=place+header)

Invariants:

- :meth:`Seal.open` returns exactly the content given to :meth:`Seal.seal`
  at that place, or raises :class:`CorruptDataError` (a changed byte) or
  :class:`DecryptionError` (a wrong key, a moved payload, or a plaintext
  payload where encryption is required). Messages name no place: the saver
  adds it, once.
- :meth:`Seal.address` names content by a 16-byte BLAKE2b digest, so equal
  content is stored once. An encrypting seal keys that digest with a key
  derived from its active key, so addresses say nothing about content to
  whoever reads the store without the key.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, runtime_checkable

from cairngraph.errors import CorruptDataError, DecryptionError

__all__ = ["PLAIN", "ENCRYPTED", "CHECKSUM", "PlainSeal", "Seal", "seal_of"]

PLAIN = 0x01
"""Format byte of a checksummed plaintext payload."""
ENCRYPTED = 0x02
"""Format byte of an AES-GCM sealed payload."""
CHECKSUM = 8
"""Bytes of the BLAKE2b checksum of a plain payload."""


@runtime_checkable
class Seal(Protocol):
    """Seals content for one place and opens it again there."""

    encrypts: bool

    def seal(self, content: bytes, place: bytes) -> bytes:
        """The bytes to store for ``content`` at ``place``."""
        ...

    def open(self, stored: bytes, place: bytes) -> bytes:
        """The content stored at ``place``; raise if it changed or was moved."""
        ...

    def address(self, content: bytes) -> bytes:
        """A 16-byte name for ``content``: equal content, equal name."""
        ...


_PLAIN_BYTE = bytes((PLAIN,))
_CHECK_PERSON = b"cairn-check"
_blake2b = hashlib.blake2b


def _checksum(content: bytes, place: bytes) -> bytes:
    digest = _blake2b(place, digest_size=CHECKSUM, person=_CHECK_PERSON)
    digest.update(content)
    return digest.digest()


class PlainSeal:
    """No encryption: an 8-byte checksum of place and content guards every payload.

    Example::

        seal = PlainSeal()
        stored = seal.seal(b"data", b"place")
        assert seal.open(stored, b"place") == b"data"
    """

    encrypts = False

    def seal(self, content: bytes, place: bytes) -> bytes:
        return bytes((PLAIN,)) + _checksum(content, place) + content

    def open(self, stored: bytes, place: bytes) -> bytes:
        # The hot path of every read first; what is wrong is told apart only after.
        if stored[:1] == _PLAIN_BYTE:
            content = stored[1 + CHECKSUM :]
            check = _blake2b(place + content, digest_size=CHECKSUM, person=_CHECK_PERSON)
            if check.digest() == stored[1 : 1 + CHECKSUM]:
                return content
        if not stored:
            raise CorruptDataError("the stored payload is empty")
        if stored[0] == ENCRYPTED:
            raise DecryptionError(
                "the payload is encrypted, and this saver's serializer does not decrypt; "
                "open the store with serde=EncryptedSerializer(...) and its keys"
            )
        if stored[0] != PLAIN or len(stored) < 1 + CHECKSUM:
            raise CorruptDataError("the stored payload has an unknown format byte or is truncated")
        content = stored[1 + CHECKSUM :]
        if _checksum(content, place) != stored[1 : 1 + CHECKSUM]:
            raise CorruptDataError(
                "the stored payload fails its checksum (changed bytes, or moved from another place)"
            )
        return content

    def address(self, content: bytes) -> bytes:
        return hashlib.blake2b(content, digest_size=16, person=b"cairn-value").digest()


PLAIN_SEAL = PlainSeal()


def seal_of(serde: object) -> Seal:
    """The seal a serializer provides (an :class:`EncryptedSerializer`), else checksums."""
    if isinstance(serde, Seal):
        return serde
    return PLAIN_SEAL
