"""The serializer contract every saver writes through.

A serializer turns one value into ``(type_tag, payload)`` and back. The tag
says how the payload was made (``"msgpack"``, ``"msgpack+aesgcm"``,
``"null"``, ``"bytes"``), so a store can hold payloads of several formats and
wrappers (encryption, compression) can be stacked without guessing.

Invariant: ``loads_typed(dumps_typed(x)) == x`` for every value the serializer
accepts; anything it cannot represent faithfully raises instead of being
approximated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "SerializerProtocol",
    "SupportsRegistration",
    "SupportsSharedEncoding",
    "TypedPayload",
    "shared_dumps",
]

TypedPayload = tuple[str, bytes]
"""``(type_tag, payload)``: how the bytes were made, and the bytes."""


@runtime_checkable
class SerializerProtocol(Protocol):
    """Turns values into tagged bytes and back.

    Example::

        tag, data = serde.dumps_typed({"joke": "..."})
        assert serde.loads_typed((tag, data)) == {"joke": "..."}
    """

    def dumps_typed(self, obj: Any) -> TypedPayload:
        """Encode ``obj``; raise :class:`~cairngraph.errors.SerializationError` if it cannot."""
        ...

    def loads_typed(self, data: TypedPayload) -> Any:
        """Decode a payload of :meth:`dumps_typed`; never import or build unregistered types."""
        ...


@runtime_checkable
class SupportsRegistration(Protocol):
    """A serializer with a registry of types it may build when loading.

    ``compile()`` passes the state schema class here, so the types a graph's
    state uses are allowed without any call from the user.

    Example::

        serde.register(State)                 # a TypedDict, dataclass or pydantic schema
        serde.register(list[Order], Mood)     # annotations are walked for classes
    """

    def register(self, *types: Any) -> None:
        """Allow ``types`` (classes or typing annotations, walked for the classes inside).

        Leaves that are not data (``Any``, ``Callable``) are skipped; a class
        passed directly that can never be stored raises
        :class:`~cairngraph.errors.UnregisteredTypeError`.
        """
        ...


@runtime_checkable
class SupportsSharedEncoding(Protocol):
    """A serializer that can encode an object shared by several values of one save once.

    A chat agent's step saves the message list and, in its tool calls' ``Send``
    payloads, the same messages again: encoded once, their bytes are reused.

    Example::

        dumps = serde.dumps_shared()           # one per save
        state_payload, send_payload = dumps(state), dumps(send)
    """

    def dumps_shared(self) -> Callable[[Any], TypedPayload]:
        """A ``dumps_typed`` that reuses the encoding of an object (by identity) it met before.

        Valid only while the values it encodes do not change, as during one save.
        """
        ...


def shared_dumps(serde: SerializerProtocol) -> Callable[[Any], TypedPayload]:
    """``serde.dumps_shared()`` when the serializer has it, else its ``dumps_typed``.

    Example::

        dumps = shared_dumps(saver.serde)
    """
    # Not isinstance(serde, SupportsSharedEncoding): a runtime protocol check costs
    # tens of microseconds, and this runs on every save.
    shared = getattr(serde, "dumps_shared", None)
    made: Callable[[Any], TypedPayload] = shared() if shared is not None else serde.dumps_typed
    return made
