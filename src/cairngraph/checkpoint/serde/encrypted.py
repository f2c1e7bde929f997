"""Encryption at rest: AES-256-GCM around any serializer.

Payload layout (the tag becomes ``"<inner tag>+aesgcm"``)::

    0x01 | key-id length (1 byte) | key id (utf-8) | nonce (12 bytes) | ciphertext + GCM tag

Invariants:

- The inner tag and the header (format byte and key id) are authenticated
  as associated data, so changing the bytes, the header or the tag makes
  decryption fail. A wrong key, an unknown key id or a tampered payload
  raises :class:`DecryptionError`; it never yields garbage.
- Every payload names the key that sealed it: keys rotate by adding a new
  active key and keeping the old ones for reading.
- A fresh random 96-bit nonce per payload (the ``cryptography`` AES-GCM
  limit of about 2**32 payloads per key applies; rotate keys long before).
- Plaintext is refused by default: a payload that is not sealed (written
  before encryption was switched on, or forged by someone without the key)
  raises :class:`DecryptionError`. ``allow_plaintext=True`` is the explicit
  opt-in to read such data, for instance to re-seal an existing store in
  place with the saver's ``reseal()``.
- As a saver's :class:`~cairngraph.checkpoint.serde.seal.Seal` (``seal``,
  ``open``, ``address``) the associated data also binds each payload to its
  place (thread, namespace, checkpoint, channel, task, value address): a
  payload moved to another place, or rolled back to an older one, fails.
- ``cryptography`` is imported only when an EncryptedSerializer is made;
  without it the error says ``pip install 'cairngraph[encryption]'``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Mapping
from typing import Any

from cairngraph.checkpoint.serde.base import (
    SerializerProtocol,
    SupportsRegistration,
    TypedPayload,
    shared_dumps,
)
from cairngraph.checkpoint.serde.seal import ENCRYPTED, PLAIN, PLAIN_SEAL
from cairngraph.errors import CorruptDataError, DecryptionError, InvalidConfigError

__all__ = ["EncryptedSerializer"]

_FORMAT = 1
_SUFFIX = "+aesgcm"
_NONCE = 12
_GCM_TAG = 16


def _aesgcm(key: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as error:
        raise InvalidConfigError(
            "encryption needs the `cryptography` package: pip install 'cairngraph[encryption]'"
        ) from error
    return AESGCM(key)


def _check_key(key_id: str, key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray):
        raise InvalidConfigError(
            f"encryption key {key_id!r} must be 32 raw bytes, not {type(key).__name__}; "
            "decode a base64 key first (base64.b64decode(text))"
        )
    if len(key) != 32:
        raise InvalidConfigError(
            f"encryption key {key_id!r} is {len(key)} bytes; AES-256 needs exactly 32. "
            "Make one with: python -c 'import os, base64; "
            "print(base64.b64encode(os.urandom(32)).decode())'"
        )
    if not key_id or len(key_id.encode()) > 255 or ":" in key_id:
        raise InvalidConfigError(f"key id {key_id!r} must be 1-255 bytes and contain no ':'")
    return bytes(key)


class EncryptedSerializer:
    """Encrypts what ``inner`` produces; decrypts with whichever key sealed it.

    Example::

        serde = EncryptedSerializer(MsgpackSerializer(), keys={"2026-11": key32})
        saver = SqliteSaver("checkpoints.db", serde=serde)
        # or from the environment (CAIRNGRAPH_ENCRYPTION_KEY / _KEYS):
        saver = SqliteSaver("checkpoints.db", serde=EncryptedSerializer.from_env())

    ``allow_plaintext`` (default False) lets payloads written before
    encryption was switched on still load; set it to True only to read or
    re-seal (``saver.reseal()``) such a store.
    """

    encrypts = True

    def __init__(
        self,
        inner: SerializerProtocol | None = None,
        *,
        keys: Mapping[str, bytes],
        active_key_id: str | None = None,
        allow_plaintext: bool = False,
    ) -> None:
        if inner is None:
            from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer

            inner = MsgpackSerializer()
        if not keys:
            raise InvalidConfigError("EncryptedSerializer needs at least one key")
        self.inner = inner
        self._ciphers = {key_id: _aesgcm(_check_key(key_id, key)) for key_id, key in keys.items()}
        self.active_key_id = active_key_id or next(iter(keys))
        if self.active_key_id not in self._ciphers:
            raise InvalidConfigError(f"active key id {self.active_key_id!r} is not among the keys")
        self.allow_plaintext = allow_plaintext
        digest = hashlib.blake2b(keys[self.active_key_id], digest_size=32, person=b"cairn-addr-key")
        self._address_key = digest.digest()

    @classmethod
    def from_env(
        cls, inner: SerializerProtocol | None = None, *, allow_plaintext: bool = False
    ) -> EncryptedSerializer:
        """Keys from the environment.

        ``CAIRNGRAPH_ENCRYPTION_KEYS`` is ``"id1:b64,id2:b64"``; its first key is
        the active one. ``CAIRNGRAPH_ENCRYPTION_KEY`` is ``"b64"`` (key id
        ``default``) or ``"id:b64"``; it is the active key when ``..._KEYS`` is
        unset, and one more key to read with otherwise. Each key is 32 bytes,
        base64. The same id with two different keys is an error.

        Example::

            # export CAIRNGRAPH_ENCRYPTION_KEYS="2026-12:NEW_B64,2026-11:OLD_B64"
            serde = EncryptedSerializer.from_env()
        """
        keys: dict[str, bytes] = {}
        many = os.environ.get("CAIRNGRAPH_ENCRYPTION_KEYS", "")
        one = os.environ.get("CAIRNGRAPH_ENCRYPTION_KEY", "").strip()
        for item in [part.strip() for part in many.split(",")] + [one]:
            if not item:
                continue
            key_id, key = _parse_key(item)
            if keys.get(key_id, key) != key:
                raise InvalidConfigError(
                    f"key id {key_id!r} is given twice with different keys in CAIRNGRAPH_"
                    "ENCRYPTION_KEYS / CAIRNGRAPH_ENCRYPTION_KEY; give each key its own id"
                )
            keys[key_id] = key
        if not keys:
            raise InvalidConfigError(
                "no encryption key in the environment: set CAIRNGRAPH_ENCRYPTION_KEY to a "
                "base64 32-byte key (optionally 'key-id:base64')"
            )
        return cls(inner, keys=keys, allow_plaintext=allow_plaintext)

    def register(self, *types: Any) -> None:
        """Pass type registration on to the inner serializer."""
        if isinstance(self.inner, SupportsRegistration):
            self.inner.register(*types)

    def dumps_typed(self, obj: Any) -> TypedPayload:
        """Encode with ``inner``, then seal with the active key."""
        return self._sealed(*self.inner.dumps_typed(obj))

    def dumps_shared(self) -> Callable[[Any], TypedPayload]:
        """A ``dumps_typed`` for one save: ``inner`` encodes a shared object once (when
        it can); every payload is still sealed on its own, with its own nonce."""
        inner = shared_dumps(self.inner)
        return lambda obj: self._sealed(*inner(obj))

    def _sealed(self, tag: str, plain: bytes) -> TypedPayload:
        key_id = self.active_key_id.encode()
        header = bytes((_FORMAT, len(key_id))) + key_id
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self.active_key_id].encrypt(nonce, plain, _bound(tag, header))
        return (tag + _SUFFIX, header + nonce + sealed)

    def loads_typed(self, data: TypedPayload) -> Any:
        """Open with the key the payload names, then decode with ``inner``."""
        tag, payload = data
        if not tag.endswith(_SUFFIX):
            if not self.allow_plaintext:
                raise DecryptionError(
                    f"payload of type {tag!r} is not encrypted; an EncryptedSerializer refuses "
                    "plaintext unless made with allow_plaintext=True (to read data written "
                    "before encryption was switched on)"
                )
            return self.inner.loads_typed(data)
        inner_tag = tag[: -len(_SUFFIX)]
        payload = bytes(payload)
        if len(payload) < 2 or payload[0] != _FORMAT:
            raise CorruptDataError(
                f"encrypted payload of type {tag!r} has an unknown format byte or is empty"
            )
        size = payload[1]
        header = payload[: 2 + size]
        key_id = header[2:].decode(errors="replace")
        nonce = payload[2 + size : 2 + size + _NONCE]
        if len(payload) < 2 + size + _NONCE + _GCM_TAG:
            raise DecryptionError(
                f"payload sealed with key {key_id!r} is truncated: wrong key or tampered payload"
            )
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(
                f"payload was encrypted with key {key_id!r}, which this serializer does not "
                f"have (it has {', '.join(sorted(self._ciphers))}); add that key to decrypt it"
            )
        from cryptography.exceptions import InvalidTag

        try:
            plain = cipher.decrypt(nonce, payload[2 + size + _NONCE :], _bound(inner_tag, header))
        except InvalidTag:
            raise DecryptionError(
                f"payload sealed with key {key_id!r} failed authentication: wrong key or "
                "tampered payload"
            ) from None
        return self.inner.loads_typed((inner_tag, plain))

    # -- as a saver's seal: payloads bound to their place -----------------------

    def seal(self, content: bytes, place: bytes) -> bytes:
        """``content`` sealed with the active key, bound to ``place``."""
        key_id = self.active_key_id.encode()
        header = bytes((ENCRYPTED, len(key_id))) + key_id
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self.active_key_id].encrypt(nonce, content, place + header)
        return header + nonce + bytes(sealed)

    def open(self, stored: bytes, place: bytes) -> bytes:
        """The content sealed for ``place``; a moved, changed or plaintext payload raises."""
        stored = bytes(stored)
        if not stored:
            raise CorruptDataError("the stored payload is empty")
        if stored[0] == PLAIN:
            if not self.allow_plaintext:
                raise DecryptionError(
                    "the payload is not encrypted, and this EncryptedSerializer refuses "
                    "plaintext; to read a store written before encryption was switched on, "
                    "use EncryptedSerializer(..., allow_plaintext=True), and seal it in place "
                    "with saver.reseal()"
                )
            return bytes(PLAIN_SEAL.open(stored, place))
        if stored[0] != ENCRYPTED or len(stored) < 2:
            raise CorruptDataError("the stored payload has an unknown format byte or is empty")
        size = stored[1]
        header = stored[: 2 + size]
        if len(stored) < 2 + size + _NONCE + _GCM_TAG:
            raise DecryptionError("the sealed payload is truncated: tampered with or cut short")
        cipher = self._ciphers.get(header[2:].decode(errors="replace"))
        if cipher is None:
            raise DecryptionError(
                f"the payload was sealed with key {_printable(header[2:])}, which this "
                f"serializer does not have (it has {', '.join(map(repr, sorted(self._ciphers)))}); "
                "add that key to read it"
            )
        from cryptography.exceptions import InvalidTag

        nonce = stored[2 + size : 2 + size + _NONCE]
        try:
            return bytes(cipher.decrypt(nonce, stored[2 + size + _NONCE :], place + header))
        except InvalidTag:
            raise DecryptionError(
                f"the payload sealed with key {_printable(header[2:])} failed authentication: "
                "a wrong key, changed bytes, or a payload moved from another place"
            ) from None

    def address(self, content: bytes) -> bytes:
        """A keyed 16-byte digest: equal content, equal address, nothing learned without the key."""
        return hashlib.blake2b(content, digest_size=16, key=self._address_key).digest()


def _printable(key_id: bytes) -> str:
    """A key id as text for a message; bytes that are not a plain id are not shown raw."""
    text = key_id.decode("utf-8", errors="replace")
    if text.isprintable() and "\ufffd" not in text:
        return repr(text)
    return f"(an id of {len(key_id)} bytes that is not valid text)"


def _bound(tag: str, header: bytes) -> bytes:
    """The associated data: the inner tag and the header, both authenticated."""
    return tag.encode() + b"\x00" + header


def _parse_key(item: str) -> tuple[str, bytes]:
    """``"b64"`` or ``"id:b64"`` → ``(key id, 32 key bytes)``; base64 has no ``:``."""
    key_id, _, encoded = item.rpartition(":")
    key_id = key_id.strip() or "default"
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        try:
            key = base64.urlsafe_b64decode(encoded.strip())
        except (binascii.Error, ValueError) as error:
            raise InvalidConfigError(
                f"encryption key {key_id!r} in the environment is not valid base64"
            ) from error
    return key_id, _check_key(key_id, key)
