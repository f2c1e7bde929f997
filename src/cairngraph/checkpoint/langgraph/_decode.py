"""Reading values that LangGraph's ``JsonPlusSerializer`` wrote, through cairngraph's registry.

LangGraph stores a value as ``(type, bytes)``: ``"null"``, ``"bytes"``,
``"bytearray"`` or ``"msgpack"``. Its msgpack payloads name classes in
extension values, each ``[module, name, argument(s), ...]`` under one of
eight codes (constructor with one argument, with positional arguments, with
keyword arguments, a method with one argument, pydantic v1, pydantic v2,
a numpy array, a delta snapshot).

Invariants:

- Nothing is imported because stored data named it, and nothing is built
  that is not either on the fixed list below (``datetime``, ``uuid``,
  ``decimal``, ``zoneinfo`` values, sets, and LangGraph's ``Send`` and
  ``Interrupt``, which become cairngraph's) or found in a
  :class:`~cairngraph.checkpoint.serde.registry.TypeRegistry` under
  ``module.name`` (the application's dataclasses, pydantic models,
  NamedTuples and Enums; LangChain's message classes are built in there).
- An unknown name raises :class:`UnregisteredTypeError` naming the type and
  how to register it; bytes that do not decode raise
  :class:`CorruptDataError`. Nothing falls back to a raw dict or ``None``
  (LangGraph's own reader does both), and pickle is never read.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

import ormsgpack

from cairngraph.checkpoint.serde.registry import TypeRegistry
from cairngraph.errors import (
    CorruptDataError,
    SerializationError,
    UnregisteredTypeError,
    UnstorableTypeError,
)
from cairngraph.types import Interrupt, Send, TimeoutPolicy

__all__ = ["LangGraphDecoder"]

_SINGLE, _POSITIONAL, _KEYWORDS, _METHOD, _PYDANTIC_V1, _PYDANTIC_V2 = range(6)
_NUMPY, _DELTA = 6, 7


def _send(args: list[Any]) -> Send:
    # LangGraph 1.2 adds a Send's timeout as a third argument when it has one.
    return Send(args[0], args[1], timeout=args[2] if len(args) > 2 else None)


def _timeout_policy(fields: dict[str, Any]) -> TimeoutPolicy:
    return TimeoutPolicy(
        run_timeout=fields.get("run_timeout"),
        idle_timeout=fields.get("idle_timeout"),
        refresh_on=fields.get("refresh_on", "auto"),
    )


def _interrupt(fields: dict[str, Any]) -> Interrupt:
    return Interrupt(value=fields.get("value"), id=str(fields.get("id", "")))


def _timezone(args: list[Any]) -> dt.timezone:
    return dt.timezone(*args)


# The values LangGraph writes for standard types, each built by a fixed function.
_FIXED: dict[tuple[int, str, str], Callable[[Any], Any]] = {
    (_SINGLE, "uuid", "UUID"): lambda hex_: uuid.UUID(hex=hex_),
    (_SINGLE, "decimal", "Decimal"): decimal.Decimal,
    (_SINGLE, "builtins", "set"): set,
    (_SINGLE, "builtins", "frozenset"): frozenset,
    (_SINGLE, "zoneinfo", "ZoneInfo"): zoneinfo.ZoneInfo,
    (_POSITIONAL, "datetime", "timedelta"): lambda args: dt.timedelta(*args),
    (_POSITIONAL, "datetime", "date"): lambda args: dt.date(*args),
    (_POSITIONAL, "datetime", "timezone"): _timezone,
    (_POSITIONAL, "langgraph.types", "Send"): _send,
    (_KEYWORDS, "datetime", "time"): lambda fields: dt.time(**fields),
    (_KEYWORDS, "langgraph.types", "Interrupt"): _interrupt,
    (_KEYWORDS, "langgraph.types", "TimeoutPolicy"): _timeout_policy,
    (_METHOD, "datetime", "datetime"): dt.datetime.fromisoformat,
}


class LangGraphDecoder:
    """Turns LangGraph's stored ``(type, bytes)`` pairs into values.

    Example::

        decoder = LangGraphDecoder(shared_registry())
        decoder.loads_typed(("msgpack", row["value"]))
    """

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = registry

    def loads_typed(self, data: tuple[str, bytes | None]) -> Any:
        """The value of one stored pair; ``where`` in errors is added by the caller."""
        tag, payload = data
        if tag in ("null", "empty") or payload is None:
            return None
        if tag == "bytes":
            return bytes(payload)
        if tag == "bytearray":
            return bytearray(payload)
        if tag == "msgpack":
            return self._unpack(bytes(payload))
        raise SerializationError(
            f"a LangGraph value stored as {tag!r} cannot be read: only 'msgpack', 'bytes', "
            "'bytearray' and 'null' are read ('pickle' never is, because loading a pickle can "
            "run any code). Re-save the thread with LangGraph's default serializer first."
        )

    def _unpack(self, payload: bytes) -> Any:
        failures: list[Exception] = []

        def hook(code: int, data: bytes) -> Any:
            try:
                return self._extension(code, data, hook)
            except Exception as error:
                # ormsgpack replaces an ext_hook's exception with its own ValueError;
                # keep ours to raise it as it was.
                failures.append(error)
                raise

        try:
            return ormsgpack.unpackb(payload, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
        except (ValueError, TypeError) as error:
            if failures:
                raise failures[0] from None
            raise CorruptDataError(f"LangGraph msgpack payload does not decode: {error}") from None

    def _extension(self, code: int, data: bytes, hook: Callable[[int, bytes], Any]) -> Any:
        body = ormsgpack.unpackb(data, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
        if code in (_NUMPY, _DELTA):
            kind = "a numpy array" if code == _NUMPY else "a DeltaChannel snapshot"
            raise UnstorableTypeError(
                f"a LangGraph value holds {kind} (msgpack extension {code}); cairngraph's "
                "savers do not store it. Convert that state key to lists before importing."
            )
        if not isinstance(body, list | tuple) or len(body) < 3:
            raise CorruptDataError(f"LangGraph msgpack extension {code} holds {body!r}")
        module, name, argument = str(body[0]), str(body[1]), body[2]
        fixed = _FIXED.get((code, module, name))
        try:
            if fixed is not None:
                return fixed(argument)
            return self._registered(code, module, name, argument)
        except SerializationError:
            raise
        except (TypeError, ValueError, KeyError, IndexError) as error:
            # A pydantic ValidationError is a ValueError: the stored fields no longer fit.
            raise CorruptDataError(
                f"a LangGraph value of type {module}.{name} cannot be rebuilt from what was "
                f"stored ({type(error).__name__}: {error}); was the class changed since?"
            ) from error

    def _registered(self, code: int, module: str, name: str, argument: Any) -> Any:
        entry = self.registry.entry_named(f"{module}.{name}")
        if entry is None:
            raise UnregisteredTypeError(
                f"a LangGraph checkpoint holds a {module}.{name}, which is not registered, so "
                "it is not built. If it is your class, import it and register it before "
                f"importing: `cairngraph.checkpoint.serde.register({name})` (or pass "
                "registry=); cairngraph builds only the types it is told about."
            )
        cls = entry.cls
        if code in (_PYDANTIC_V1, _PYDANTIC_V2) and entry.kind == "pydantic":
            return cls(**argument)
        if code == _KEYWORDS and entry.kind in ("dataclass", "namedtuple"):
            return cls(**argument)
        if code == _SINGLE and entry.kind in ("enum", "value"):
            return cls(argument)
        raise CorruptDataError(
            f"a LangGraph value stores {module}.{name} under msgpack extension {code}, "
            f"which does not fit a registered {entry.kind}; was the class changed?"
        )
