"""Instances of subclasses of builtins: their plain value, and why one is refused.

Invariant: :func:`plain` returns exactly the builtin value (a ``str``, not a
``str`` subclass; the builtin's own conversion, so no override of the
subclass runs) or raises; an instance holding attributes beyond its value is
always refused, because saving it as its value would drop them silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cairngraph.checkpoint.serde.registry import type_name, value_base
from cairngraph.errors import UnregisteredTypeError, UnstorableTypeError

__all__ = ["attributes", "plain", "unregistered"]

_PLAIN: dict[type, Callable[[Any], Any]] = {
    str: str.__str__,
    int: int.__int__,
    float: float.__float__,
    bytes: bytes.__bytes__,
    list: list.copy,
    dict: dict.copy,
    tuple: lambda value: tuple.__getitem__(value, slice(None)),
}


def plain(obj: Any) -> Any:
    """The builtin value of an instance of a subclass of a builtin.

    Example::

        plain(message.text)  # "hello", a str
    """
    base = value_base(type(obj))
    extra = attributes(obj)
    if base is None or extra:
        raise _carries_attributes(type(obj), base, extra)
    return _PLAIN[base](obj)


def attributes(obj: Any) -> list[str]:
    """Names of the attributes ``obj`` holds beyond its builtin value (``__dict__``, slots)."""
    names = list(getattr(obj, "__dict__", None) or ())
    for klass in type(obj).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                names.append(slot)
    return names


def unregistered(obj: Any) -> UnregisteredTypeError:
    """The error for an instance of an unregistered subclass of a builtin, with the remedy."""
    cls = type(obj)
    base = value_base(cls)
    extra = attributes(obj)
    if base is None or extra:
        return _carries_attributes(cls, base, extra)
    short, builtin = cls.__qualname__, base.__name__
    return UnregisteredTypeError(
        f"type {type_name(cls)} cannot be saved: it is a subclass of {builtin}, and such "
        f"subclasses are saved only when registered. Call `serde.register({short})` "
        "(cairngraph.checkpoint.serde.register for every saver, or saver.serde.register) to "
        f"store it and rebuild it on load as {short}(value), or store the plain value, "
        f"{builtin}(value)."
    )


def _carries_attributes(cls: type, base: type | None, extra: list[str]) -> UnstorableTypeError:
    builtin = "a builtin" if base is None else base.__name__
    return UnstorableTypeError(
        f"type {type_name(cls)} cannot be saved: this subclass of {builtin} carries attributes "
        f"({', '.join(extra)}) beyond its {builtin} value, and they would be lost. Keep the "
        "value and its attributes in a dataclass or pydantic model and register that "
        "(`cairngraph.checkpoint.serde.register(MyModel)`), or store the plain value, "
        f"{builtin}(value)."
    )
