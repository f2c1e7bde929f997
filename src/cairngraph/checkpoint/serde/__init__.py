"""How values become bytes: typed msgpack with a registry, optionally encrypted."""

from cairngraph.checkpoint.serde.base import SerializerProtocol, SupportsRegistration, TypedPayload
from cairngraph.checkpoint.serde.encrypted import EncryptedSerializer
from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer
from cairngraph.checkpoint.serde.registry import TypeRegistry

__all__ = [
    "EncryptedSerializer",
    "MsgpackSerializer",
    "SerializerProtocol",
    "SupportsRegistration",
    "TypeRegistry",
    "TypedPayload",
]
