"""How a persistent store's item becomes a row and back: sealed bytes, bound to its place.

A value goes through the store's serializer (typed msgpack with a registry,
no pickle) and is sealed with the serializer's seal (``checkpoint/serde/seal.py``):
an 8-byte BLAKE2b checksum, or AES-GCM when the serializer is an
``EncryptedSerializer``. The *place* (table, namespace, key) is part of the
check but not stored in the payload, so a body copied to another key fails.

Invariants:

- :meth:`ValueCodec.open` returns the dict that was sealed at that place, or
  raises :class:`CorruptDataError` / :class:`DecryptionError` whose message
  names the namespace and key (and ``table`` is set on the error).
- Times are integer microseconds since the epoch in every table, turned into
  timezone-aware UTC datetimes exactly (no float rounding).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.checkpoint.serde.seal import Seal, seal_of
from cairngraph.errors import CorruptDataError, DecryptionError, SerializationError
from cairngraph.store.base import Item, SearchItem

__all__ = ["ITEMS", "ValueCodec", "as_datetime", "join_namespace", "split_namespace"]

ITEMS = "cairn_store_items"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_datetime(microseconds: int) -> datetime:
    """A stored time as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=int(microseconds))


def join_namespace(namespace: tuple[str, ...]) -> str:
    """The text a namespace is stored as (labels never contain ``"."``)."""
    return ".".join(namespace)


def split_namespace(text: str) -> tuple[str, ...]:
    """The namespace stored as ``text``."""
    return tuple(text.split(".")) if text else ()


class ValueCodec:
    """Seals item values for one store's serializer, and opens them again.

    Example::

        codec = ValueCodec(MsgpackSerializer())
        body = codec.seal("users.ann", "prefs", {"theme": "dark"})
        assert codec.open("users.ann", "prefs", body) == {"theme": "dark"}
    """

    def __init__(self, serde: SerializerProtocol | None) -> None:
        if serde is None:
            from cairngraph.checkpoint.serde import MsgpackSerializer

            serde = MsgpackSerializer()
        self.serde = serde
        self.sealer: Seal = seal_of(serde)
        inner = getattr(serde, "inner", None) if self.sealer.encrypts else None
        self.codec: SerializerProtocol = inner if inner is not None else serde

    @staticmethod
    def _place(ns: str, key: str) -> bytes:
        return b"%s\x00%s\x00%s" % (ITEMS.encode(), ns.encode(), key.encode())

    def seal(self, ns: str, key: str, value: Any) -> bytes:
        """The stored bytes of ``value`` at ``ns``/``key``."""
        try:
            tag, payload = self.codec.dumps_typed(dict(value))
        except SerializationError as error:
            raise type(error)(f"store item {key!r} in namespace {ns!r}: {error}") from error
        encoded = tag.encode()
        return self.sealer.seal(bytes((len(encoded),)) + encoded + payload, self._place(ns, key))

    def open(self, ns: str, key: str, body: bytes) -> dict[str, Any]:
        """The value stored at ``ns``/``key``; raise naming them when it fails its check."""
        try:
            content = self.sealer.open(bytes(body), self._place(ns, key))
            width = content[0] if content else 0
            if not content or len(content) < 1 + width:
                raise CorruptDataError("the payload is truncated")
            value = self.codec.loads_typed((content[1 : 1 + width].decode(), content[1 + width :]))
        except (CorruptDataError, DecryptionError) as error:
            failure = type(error)(
                f"store item {key!r} in namespace {split_namespace(ns)!r} ({ITEMS}) cannot be "
                f"read: {error}. Nothing was changed; delete the item or restore it from a backup."
            )
            failure.placed(table=ITEMS)
            raise failure from error
        if not isinstance(value, dict):
            raise CorruptDataError(
                f"store item {key!r} in namespace {split_namespace(ns)!r} holds a "
                f"{type(value).__name__}, not a dict"
            )
        return value

    def item(self, row: Any) -> Item:
        """An :class:`Item` from ``(ns, key, body, created_at, updated_at, ...)``."""
        return Item(
            value=self.open(row[0], row[1], row[2]),
            key=row[1],
            namespace=split_namespace(row[0]),
            created_at=as_datetime(row[3]),
            updated_at=as_datetime(row[4]),
        )

    def hit(self, row: Any, value: dict[str, Any], score: float | None) -> SearchItem:
        """A :class:`SearchItem` from a row whose value is already open."""
        return SearchItem(
            split_namespace(row[0]), row[1], value, as_datetime(row[3]), as_datetime(row[4]), score
        )
