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

from typing import Any, Protocol, runtime_checkable

__all__ = ["SerializerProtocol", "SupportsRegistration", "TypedPayload"]

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
