"""LangGraph's ``JsonPlusSerializer`` name, giving cairngraph's safe serializer.

Code written for LangGraph passes ``serde=JsonPlusSerializer(...)`` to a
saver; with the import prefix swapped it gets a
:class:`~cairngraph.checkpoint.serde.MsgpackSerializer` (same payloads, same
registry, same rules), configured from LangGraph's constructor parameters
where they make sense:

- ``allowed_msgpack_modules`` / ``allowed_json_modules``: the classes (or
  ``(module, name)`` pairs) listed are registered, so they may be built on
  load. A pair is looked up once, here, among the modules the program has
  already imported; nothing is ever imported for it, nor for stored data. ``None`` and ``True``
  add nothing: ``True`` ("build any type") is a mode cairngraph does not
  have, so the types allowed stay those of the state schema and
  :func:`~cairngraph.checkpoint.serde.register`.
- ``pickle_fallback=True`` is refused with :class:`InvalidConfigError`:
  pickle is never used on stored data.
- Any other keyword is a ``TypeError`` naming it (Python's own check: the
  parameters are keyword-only and there is no ``**kwargs``).

Invariant: a ``JsonPlusSerializer`` reads and writes exactly what a
``MsgpackSerializer`` with the same registry does; only its constructor differs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, Literal

from cairngraph.checkpoint.serde.msgpack import MsgpackSerializer
from cairngraph.checkpoint.serde.registry import TypeRegistry
from cairngraph.errors import InvalidConfigError

__all__ = ["JsonPlusSerializer"]

Allowed = Iterable[tuple[str, ...] | type] | Literal[True] | None
"""LangGraph's allow-list shape: classes or ``(module, name)`` pairs, True, or None."""


class JsonPlusSerializer(MsgpackSerializer):
    """:class:`MsgpackSerializer` under LangGraph's name and constructor.

    Example::

        from cairngraph.checkpoint.memory import InMemorySaver
        from cairngraph.checkpoint.serde.jsonplus import JsonPlusSerializer

        saver = InMemorySaver(serde=JsonPlusSerializer(allowed_msgpack_modules=[Order]))
        JsonPlusSerializer(pickle_fallback=True)  # InvalidConfigError: pickle is never used
    """

    pickle_fallback: Literal[False] = False
    """Always False; kept because LangGraph code may read it."""

    def __init__(
        self,
        *,
        pickle_fallback: bool = False,
        allowed_json_modules: Allowed = None,
        allowed_msgpack_modules: Allowed = None,
        registry: TypeRegistry | None = None,
    ) -> None:
        if pickle_fallback:
            raise InvalidConfigError(
                "JsonPlusSerializer(pickle_fallback=True) is refused: cairngraph never uses "
                "pickle on stored data, because loading a pickle can run any code. Register "
                "the types your state holds instead, with "
                "`cairngraph.checkpoint.serde.register(MyType)` (a dataclass, pydantic model, "
                "NamedTuple or Enum), or declare them in the graph's state schema."
            )
        super().__init__(registry)
        for allowed in (allowed_json_modules, allowed_msgpack_modules):
            self.register(*_classes(allowed))

    def with_msgpack_allowlist(
        self, extra_allowlist: Iterable[tuple[str, ...] | type]
    ) -> JsonPlusSerializer:
        """A serializer that also allows ``extra_allowlist``; this one is unchanged.

        Example::

            strict = serde.with_msgpack_allowlist([("app.models", "Order")])
        """
        return JsonPlusSerializer(
            allowed_msgpack_modules=extra_allowlist,
            registry=TypeRegistry(parent=self.registry),
        )


def _classes(allowed: Allowed) -> list[type]:
    if allowed is None or allowed is True:
        return []
    if isinstance(allowed, str | bytes) or not isinstance(allowed, Iterable):
        raise InvalidConfigError(
            f"an allow-list must be classes or (module, name) pairs, not {allowed!r}"
        )
    return [item if isinstance(item, type) else _named(item) for item in allowed]


def _named(item: Any) -> type:
    """The class a ``(module, name)`` pair of the program's own allow-list names."""
    if not (isinstance(item, tuple) and len(item) >= 2 and all(isinstance(p, str) for p in item)):
        raise InvalidConfigError(
            f"allow-list entry {item!r} must be a class or a (module, name) tuple of strings"
        )
    module_name, name = ".".join(item[:-1]), item[-1]
    # Only modules the program has already imported are looked in: naming a class never
    # makes the serializer import code.
    found: Any = sys.modules.get(module_name)
    try:
        if found is None:
            raise LookupError(f"module {module_name!r} is not imported")
        for part in name.split("."):
            found = getattr(found, part)
    except (LookupError, AttributeError) as error:
        raise InvalidConfigError(
            f"allow-list entry {item!r} names no class of an imported module ({error}); "
            "import the module first, or pass the class itself"
        ) from error
    if not isinstance(found, type):
        raise InvalidConfigError(f"allow-list entry {item!r} is {found!r}, not a class")
    return found
