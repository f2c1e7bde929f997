"""Encryption at rest: AES-256-GCM around any serializer.

Payload layout (the tag becomes ``"<inner tag>+aesgcm"``)::

    0x01 | key-id length (1 byte) | key id (utf-8) | nonce (12 bytes) | ciphertext + GCM tag

The inner tag is authenticated as associated data, so changing either the
bytes or the tag makes decryption fail. Every payload names the key that
sealed it: keys rotate by adding a new active key and keeping the old ones
for reading. A wrong key, an unknown key id or a tampered payload raises
:class:`DecryptionError`; it never yields garbage.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any

from cairngraph.checkpoint.serde.base import SerializerProtocol, SupportsRegistration, TypedPayload
from cairngraph.errors import CorruptDataError, DecryptionError, InvalidConfigError

__all__ = ["EncryptedSerializer"]

_FORMAT = 1
_SUFFIX = "+aesgcm"
_NONCE = 12


def _aesgcm(key: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise InvalidConfigError(
            "encryption needs the `cryptography` package: pip install 'cairngraph[encryption]'"
        ) from error
    return AESGCM(key)


def _check_key(key_id: str, key: bytes) -> bytes:
    if len(key) != 32:
        raise InvalidConfigError(
            f"encryption key {key_id!r} is {len(key)} bytes; AES-256 needs exactly 32. "
            "Make one with: python -c 'import os, base64; "
            "print(base64.b64encode(os.urandom(32)).decode())'"
        )
    if not key_id or len(key_id.encode()) > 255 or ":" in key_id:
        raise InvalidConfigError(f"key id {key_id!r} must be 1-255 bytes and contain no ':'")
    return key


class EncryptedSerializer:
    """Encrypts what ``inner`` produces; decrypts with whichever key sealed it.

    Example::

        serde = EncryptedSerializer(MsgpackSerializer(), keys={"2026-11": key32})
        saver = SqliteSaver("checkpoints.db", serde=serde)
        # or from the environment (CAIRNGRAPH_ENCRYPTION_KEY / _KEYS):
        saver = SqliteSaver("checkpoints.db", serde=EncryptedSerializer.from_env())

    ``allow_plaintext`` (default True) lets payloads written before
    encryption was switched on still load; set it to False to refuse them.
    """

    def __init__(
        self,
        inner: SerializerProtocol | None = None,
        *,
        keys: Mapping[str, bytes],
        active_key_id: str | None = None,
        allow_plaintext: bool = True,
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

    @classmethod
    def from_env(
        cls, inner: SerializerProtocol | None = None, *, allow_plaintext: bool = True
    ) -> EncryptedSerializer:
        """Keys from ``CAIRNGRAPH_ENCRYPTION_KEYS`` ("id1:b64,id2:b64", first is active)
        and/or ``CAIRNGRAPH_ENCRYPTION_KEY`` ("b64" or "id:b64")."""
        keys: dict[str, bytes] = {}
        many = os.environ.get("CAIRNGRAPH_ENCRYPTION_KEYS", "")
        for item in filter(None, (part.strip() for part in many.split(","))):
            key_id, _, encoded = item.rpartition(":")
            keys[key_id or "default"] = _decode_key(key_id or "default", encoded)
        one = os.environ.get("CAIRNGRAPH_ENCRYPTION_KEY", "").strip()
        if one:
            key_id, _, encoded = one.rpartition(":")
            keys.setdefault(key_id or "default", _decode_key(key_id or "default", encoded))
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
        tag, plain = self.inner.dumps_typed(obj)
        key_id = self.active_key_id.encode()
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self.active_key_id].encrypt(nonce, plain, tag.encode())
        header = bytes((_FORMAT, len(key_id))) + key_id + nonce
        return (tag + _SUFFIX, header + sealed)

    def loads_typed(self, data: TypedPayload) -> Any:
        tag, payload = data
        if not tag.endswith(_SUFFIX):
            if not self.allow_plaintext:
                raise DecryptionError(
                    f"payload of type {tag!r} is not encrypted and allow_plaintext=False"
                )
            return self.inner.loads_typed(data)
        inner_tag = tag[: -len(_SUFFIX)]
        payload = bytes(payload)
        if len(payload) < 2 + _NONCE or payload[0] != _FORMAT:
            raise CorruptDataError("encrypted payload is truncated or of an unknown format")
        size = payload[1]
        key_id = payload[2 : 2 + size].decode(errors="replace")
        nonce = payload[2 + size : 2 + size + _NONCE]
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(
                f"payload was encrypted with key {key_id!r}, which this serializer does not "
                f"have (it has {', '.join(sorted(self._ciphers))}); add that key to decrypt it"
            )
        from cryptography.exceptions import InvalidTag

        try:
            plain = cipher.decrypt(nonce, payload[2 + size + _NONCE :], inner_tag.encode())
        except InvalidTag:
            raise DecryptionError(
                f"payload sealed with key {key_id!r} failed authentication: wrong key or "
                "tampered payload"
            ) from None
        return self.inner.loads_typed((inner_tag, plain))


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidConfigError(f"encryption key {key_id!r} is not valid base64") from error
