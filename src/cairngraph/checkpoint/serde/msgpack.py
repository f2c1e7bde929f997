"""Typed msgpack: the default, safe serializer.

Common state (dicts with string keys, lists, strings, numbers) goes through
ormsgpack's native encoder untouched. Everything else becomes a msgpack
extension value with a small fixed code, and only for types listed below or
registered in the :class:`~cairngraph.checkpoint.serde.registry.TypeRegistry`:

=====  ==========================================================
code   payload
=====  ==========================================================
1      tuple (items)
2      set
3      frozenset
4      datetime: ``[naive ISO, fold, None | zone key | UTC offset seconds]``
5      date (ISO)
6      time (ISO)
7      timedelta: ``[days, seconds, microseconds]``
8      UUID (16 bytes)
9      Decimal (text)
10     int beyond 64 bits (text)
11     registered class: ``[name, {field: value}]``
12     registered Enum member: ``[name, value]``
13     dict with keys that are not all strings: ``[[key, value], ...]``
=====  ==========================================================

Loading builds a class only when its name is registered; an unknown name is
:class:`UnregisteredTypeError`, never a guess, an import or a dropped value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import threading
import uuid
import zoneinfo
from typing import Any

import ormsgpack

from cairngraph.checkpoint.serde.base import TypedPayload
from cairngraph.checkpoint.serde.registry import TypeRegistry, kind_of, type_name
from cairngraph.errors import CorruptDataError, UnregisteredTypeError

__all__ = ["MsgpackSerializer"]

_PACK_OPTIONS = (
    ormsgpack.OPT_PASSTHROUGH_BIG_INT
    | ormsgpack.OPT_PASSTHROUGH_DATACLASS
    | ormsgpack.OPT_PASSTHROUGH_DATETIME
    | ormsgpack.OPT_PASSTHROUGH_ENUM
    | ormsgpack.OPT_PASSTHROUGH_SUBCLASS
    | ormsgpack.OPT_PASSTHROUGH_TUPLE
    | ormsgpack.OPT_PASSTHROUGH_UUID
)
_UNPACK_OPTIONS = ormsgpack.OPT_NON_STR_KEYS

TUPLE, SET, FROZENSET, DATETIME, DATE, TIME, TIMEDELTA = 1, 2, 3, 4, 5, 6, 7
UUID, DECIMAL, BIGINT, OBJECT, ENUM, MAPPING = 8, 9, 10, 11, 12, 13

_LANGCHAIN_MESSAGES = (
    "AIMessage",
    "AIMessageChunk",
    "ChatMessage",
    "ChatMessageChunk",
    "FunctionMessage",
    "FunctionMessageChunk",
    "HumanMessage",
    "HumanMessageChunk",
    "RemoveMessage",
    "SystemMessage",
    "SystemMessageChunk",
    "ToolMessage",
    "ToolMessageChunk",
)


def _langchain_messages() -> list[type]:
    """LangChain's message classes, when langchain-core is installed (a fixed list)."""
    try:
        from langchain_core import messages
    except ImportError:
        return []
    return [getattr(messages, name) for name in _LANGCHAIN_MESSAGES if hasattr(messages, name)]


class MsgpackSerializer:
    """Values ↔ ``("msgpack", bytes)``, rebuilding only registered types.

    Example::

        serde = MsgpackSerializer()
        serde.register(Order)                    # or the state schema: register(State)
        tag, data = serde.dumps_typed({"order": Order(id=1)})
        serde.loads_typed((tag, data))           # {"order": Order(id=1)}
    """

    def __init__(self, registry: TypeRegistry | None = None) -> None:
        self.registry = registry or TypeRegistry()
        self.registry.register(*_langchain_messages())

    def register(self, *types: Any) -> None:
        """Allow ``types`` (classes or annotations, walked for the classes inside)."""
        self.registry.register(*types)

    # -- dumping -----------------------------------------------------------------

    def dumps_typed(self, obj: Any) -> TypedPayload:
        if obj is None:
            return ("null", b"")
        if type(obj) is bytes:
            return ("bytes", obj)
        _failure.error = None
        return ("msgpack", self.dumps(obj))

    def dumps(self, obj: Any) -> bytes:
        try:
            return ormsgpack.packb(obj, default=self._default, option=_PACK_OPTIONS)
        except TypeError as error:
            # ormsgpack replaces the hook's exception with its own TypeError;
            # the hook leaves the real one (naming the type) in ``_failure``.
            failure = getattr(_failure, "error", None)
            if failure is not None:
                raise failure from None
            if "Dict key must be" in str(error):
                return ormsgpack.packb(_keyed(obj), default=self._default, option=_PACK_OPTIONS)
            raise UnregisteredTypeError(f"cannot serialize: {error}") from error

    def _pack(self, obj: Any) -> bytes:
        return self.dumps(obj)

    def _default(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is tuple:
            return ormsgpack.Ext(TUPLE, self._pack(list(obj)))
        if kind is set:
            return ormsgpack.Ext(SET, self._pack(list(obj)))
        if kind is frozenset:
            return ormsgpack.Ext(FROZENSET, self._pack(list(obj)))
        if kind is dt.datetime:
            return ormsgpack.Ext(DATETIME, self._pack(_datetime_parts(obj)))
        if kind is dt.date:
            return ormsgpack.Ext(DATE, obj.isoformat().encode())
        if kind is dt.time:
            return ormsgpack.Ext(TIME, obj.isoformat().encode())
        if kind is dt.timedelta:
            return ormsgpack.Ext(TIMEDELTA, self._pack([obj.days, obj.seconds, obj.microseconds]))
        if kind is uuid.UUID:
            return ormsgpack.Ext(UUID, obj.bytes)
        if kind is decimal.Decimal:
            return ormsgpack.Ext(DECIMAL, str(obj).encode())
        if kind is int:
            return ormsgpack.Ext(BIGINT, str(obj).encode())
        if kind is _Keyed:
            return ormsgpack.Ext(MAPPING, self._pack(obj.pairs))
        return self._registered(obj)

    def _registered(self, obj: Any) -> Any:
        cls = type(obj)
        kind = self.registry.kind(cls)
        if kind is None:
            failure = _unregistered(type_name(cls), "saved")
            _failure.error = failure
            raise failure
        name = type_name(cls)
        if kind == "enum":
            return ormsgpack.Ext(ENUM, self._pack([name, obj.value]))
        if kind == "dataclass":
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        elif kind == "namedtuple":
            fields = obj._asdict()
        else:
            fields = {name: getattr(obj, name) for name in cls.model_fields}
            fields.update(getattr(obj, "__pydantic_extra__", None) or {})
        return ormsgpack.Ext(OBJECT, self._pack([name, fields]))

    # -- loading -----------------------------------------------------------------

    def loads_typed(self, data: TypedPayload) -> Any:
        tag, payload = data
        if tag == "null":
            return None
        if tag == "bytes":
            return bytes(payload)
        if tag != "msgpack":
            raise CorruptDataError(
                f"payload type {tag!r} is not one this serializer writes; was it written "
                "with another serializer (for example an encrypted one)?"
            )
        _failure.error = None
        return self.loads(payload)

    def loads(self, payload: bytes) -> Any:
        try:
            return ormsgpack.unpackb(payload, ext_hook=self._ext, option=_UNPACK_OPTIONS)
        except (ValueError, TypeError) as error:
            failure = getattr(_failure, "error", None)
            if failure is not None:
                raise failure from None
            raise CorruptDataError(f"stored bytes do not decode as msgpack: {error}") from error

    def _ext(self, code: int, data: bytes) -> Any:
        # ormsgpack replaces an ext_hook's exception with its own; keep ours.
        try:
            return self._decode_ext(code, data)
        except (UnregisteredTypeError, CorruptDataError) as error:
            _failure.error = getattr(_failure, "error", None) or error
            raise
        except (ValueError, TypeError, KeyError) as error:
            failure = CorruptDataError(f"extension value {code} does not decode: {error}")
            _failure.error = getattr(_failure, "error", None) or failure
            raise failure from error

    def _decode_ext(self, code: int, data: bytes) -> Any:
        if code == TUPLE:
            return tuple(self.loads(data))
        if code == SET:
            return set(self.loads(data))
        if code == FROZENSET:
            return frozenset(self.loads(data))
        if code == DATETIME:
            return _datetime_from(self.loads(data))
        if code == DATE:
            return dt.date.fromisoformat(data.decode())
        if code == TIME:
            return dt.time.fromisoformat(data.decode())
        if code == TIMEDELTA:
            days, seconds, micros = self.loads(data)
            return dt.timedelta(days=days, seconds=seconds, microseconds=micros)
        if code == UUID:
            return uuid.UUID(bytes=data)
        if code == DECIMAL:
            return decimal.Decimal(data.decode())
        if code == BIGINT:
            return int(data.decode())
        if code == MAPPING:
            return {key: value for key, value in self.loads(data)}
        if code in (OBJECT, ENUM):
            name, body = self.loads(data)
            return self._build(code, name, body)
        raise CorruptDataError(f"unknown msgpack extension code {code}")

    def _build(self, code: int, name: str, body: Any) -> Any:
        cls = self.registry.lookup(name)
        if cls is None:
            raise _unregistered(name, "loaded")
        kind = kind_of(cls)
        if code == ENUM:
            assert issubclass(cls, enum.Enum)
            return cls(body)
        if kind == "pydantic":
            return cls.model_construct(**body)  # type: ignore[attr-defined]
        if kind == "dataclass":
            init = {
                f.name: body[f.name] for f in dataclasses.fields(cls) if f.init and f.name in body
            }
            made = cls(**init)
            for f in dataclasses.fields(cls):
                if not f.init and f.name in body:
                    object.__setattr__(made, f.name, body[f.name])
            return made
        return cls(**body)


def _datetime_parts(value: dt.datetime) -> list[Any]:
    """``[naive ISO, fold, zone]``: zone is None, a ZoneInfo key, or an offset in seconds."""
    naive = value.replace(tzinfo=None).isoformat()
    zone = value.tzinfo
    if zone is None:
        return [naive, value.fold, None]
    if isinstance(zone, zoneinfo.ZoneInfo):
        return [naive, value.fold, zone.key]
    offset = value.utcoffset()
    return [naive, value.fold, 0.0 if offset is None else offset.total_seconds()]


def _datetime_from(parts: list[Any]) -> dt.datetime:
    naive, fold, zone = parts
    value = dt.datetime.fromisoformat(naive).replace(fold=fold)
    if zone is None:
        return value
    if isinstance(zone, str):
        return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return value.replace(tzinfo=dt.timezone(dt.timedelta(seconds=zone)))


_failure = threading.local()
"""The first encoding failure of the current ``dumps_typed`` call, per thread."""


class _Keyed:
    """A dict whose keys are not all strings, carried as key/value pairs."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[list[Any]]) -> None:
        self.pairs = pairs


def _keyed(obj: Any) -> Any:
    """Rewrite dicts with non-string keys, at any depth, for the slow path."""
    kind = type(obj)
    if kind is dict:
        if all(type(key) is str for key in obj):
            return {key: _keyed(value) for key, value in obj.items()}
        return _Keyed([[_keyed(key), _keyed(value)] for key, value in obj.items()])
    if kind is list:
        return [_keyed(item) for item in obj]
    if kind is tuple:
        return tuple(_keyed(item) for item in obj)
    return obj


def _unregistered(name: str, action: str) -> UnregisteredTypeError:
    return UnregisteredTypeError(
        f"type {name} cannot be {action}: it is not registered with the serializer, and "
        "cairngraph never imports or builds unregistered types from stored data. Declare it "
        "in the graph's state schema, or call saver.serde.register(YourType) before use."
    )
