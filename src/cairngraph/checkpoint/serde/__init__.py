"""How values become bytes: typed msgpack with a registry, optionally encrypted.

Example::

    from cairngraph.checkpoint import serde

    serde.register(Order)                       # allowed for every default serializer
    saver = SqliteSaver("checkpoints.db", serde=serde.EncryptedSerializer.from_env())
"""

from cairngraph.checkpoint.serde.base import SerializerProtocol, SupportsRegistration, TypedPayload
from cairngraph.checkpoint.serde.encrypted import EncryptedSerializer
from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer
from cairngraph.checkpoint.serde.registry import TypeRegistry, register, shared_registry

__all__ = [
    "EncryptedSerializer",
    "MsgpackSerializer",
    "SerializerProtocol",
    "SupportsRegistration",
    "TypeRegistry",
    "TypedPayload",
    "register",
    "shared_registry",
]
