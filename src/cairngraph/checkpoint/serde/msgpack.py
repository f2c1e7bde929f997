"""Typed msgpack: the default, safe serializer.

Common state (dicts with string keys, lists, strings, numbers, bytes) goes
through ormsgpack's native encoder with no Python-level walk. Everything else
reaches a hook (ormsgpack's ``OPT_PASSTHROUGH_*`` options send even the types
it could encode itself, such as datetimes and dataclasses, so their type is
kept) and becomes a msgpack extension value with a small fixed code:

=====  ==================================================================
code   payload (itself msgpack unless noted)
=====  ==================================================================
1      tuple: the items
2      set: the items
3      frozenset: the items
4      datetime: fixed-size fields and the zone (raw, see ``_clock``)
5      date: ISO text (raw)
6      time: fixed-size fields and the zone (raw, see ``_clock``)
7      timedelta: ``[days, seconds, microseconds]``
8      UUID: 16 raw bytes
9      Decimal: text (raw)
10     int beyond 64 bits: decimal text (raw)
11     registered class: ``[name, {field: value}, [unset pydantic fields]]``
12     registered Enum member: ``[name, value]``
13     dict whose keys are not all strings: ``[[key, value], ...]``
14     registered subclass of a builtin: ``[name, plain builtin value]``
=====  ==================================================================

``name`` is the class's ``module.qualname``.

Invariants and rules:

- A class is built on load only when its name is in the registry; an unknown
  name raises :class:`UnregisteredTypeError` saying how to register it. An
  unregistered object on dump raises the same error; nothing falls back to
  ``str()`` or pickle, and nothing is silently dropped.
- Bytes that do not decode raise :class:`CorruptDataError`. msgpack carries no
  checksum, so a flipped bit inside a string is not detected; wrap the
  serializer in :class:`~cairngraph.checkpoint.serde.EncryptedSerializer`
  for authenticated payloads.
- Classes are rebuilt from their fields: dataclasses and NamedTuples through
  their constructor, pydantic models through ``model_construct`` (stored
  values were validated when made; the set of fields explicitly set is
  kept). A field the class no longer declares is ignored, a declared field
  missing from the stored value takes the class default, and a missing
  required field is :class:`CorruptDataError` naming the class and field.
- Subclasses of builtins (``str, int, float, bytes, list, dict, tuple``):

  * Enum members (``StrEnum``, ``IntEnum``, ``class Mood(str, Enum)``) and
    NamedTuples are registered classes like any other (codes 12 and 11).
  * A subclass on the closed list of value-only classes of well-known
    libraries (``PLAIN_SUBCLASSES`` in ``registry``; LangChain's
    ``TextAccessor``, the type of ``message.text``) is saved as the plain
    builtin and loads as it: ``TextAccessor("hi")`` loads as ``"hi"``.
  * Any other subclass written in Python is saved only when registered
    (``register(UserId)``, or by appearing in the state schema), as code 14,
    and is rebuilt on load as ``UserId(value)``. Unregistered, it is refused
    with an error naming it and saying how to register it.
  * An instance carrying attributes beyond its value (a ``__dict__`` that is
    not empty, a slot that is set) is refused even when registered or on the
    list: those attributes would be lost. Subclasses written in C
    (``OrderedDict``, ``defaultdict``) are refused: their state is not visible.
- ``bytes`` and ``bytearray`` at the top level round-trip exactly (tags
  ``"bytes"`` and ``"bytearray"``). Inside a container, ormsgpack encodes a
  ``bytearray`` or ``memoryview`` natively as binary, so it loads as an equal
  ``bytes``; detecting it would cost a walk of every value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Callable
from typing import Any

import ormsgpack

from cairngraph.checkpoint.serde import _clock, _subclass
from cairngraph.checkpoint.serde.base import TypedPayload
from cairngraph.checkpoint.serde.registry import (
    PLAIN_SUBCLASSES,
    Entry,
    TypeRegistry,
    kind_of,
    shared_registry,
    type_name,
    value_base,
)
from cairngraph.errors import (
    CorruptDataError,
    SerializationError,
    UnregisteredTypeError,
    UnstorableTypeError,
)

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
_UNPACK_OPTIONS = 0  # no OPT_NON_STR_KEYS: such dicts are always written as MAPPING values

TUPLE, SET, FROZENSET, DATETIME, DATE, TIME, TIMEDELTA = 1, 2, 3, 4, 5, 6, 7
UUID, DECIMAL, BIGINT, OBJECT, ENUM, MAPPING, VALUE = 8, 9, 10, 11, 12, 13, 14


class MsgpackSerializer:
    """Values ↔ ``("msgpack", bytes)``, rebuilding only registered types.

    Without ``registry``, the serializer gets its own registry that falls back
    to the process-wide one (see :func:`cairngraph.checkpoint.serde.register`).

    Example::

        serde = MsgpackSerializer()
        serde.register(Order)                    # or the state schema: register(State)
        tag, data = serde.dumps_typed({"order": Order(id=1)})
        serde.loads_typed((tag, data))           # {"order": Order(id=1)}
    """

    def __init__(self, registry: TypeRegistry | None = None) -> None:
        self.registry = registry if registry is not None else TypeRegistry(parent=shared_registry())

    def register(self, *types: Any) -> None:
        """Allow ``types`` (classes or annotations, walked for the classes inside)."""
        self.registry.register(*types)

    def dumps_typed(self, obj: Any) -> TypedPayload:
        """Encode ``obj``; raise :class:`UnregisteredTypeError` for a type it may not store."""
        if obj is None:
            return ("null", b"")
        kind = type(obj)
        if kind is bytes:
            return ("bytes", obj)
        if kind is bytearray:
            return ("bytearray", bytes(obj))
        return ("msgpack", _Encoder(self.registry).pack(obj))

    def dumps_shared(self) -> Callable[[Any], TypedPayload]:
        """A ``dumps_typed`` for one save: an object met again (the same object, by
        identity) in this or a later value is encoded once and its bytes reused.

        Use it only while no value it encoded can change (one save); a value
        changed in place after its first encoding would be stored as it was then.
        """
        memo: dict[int, tuple[Any, Any]] = {}
        entries: dict[type, Entry] = {}
        registry = self.registry

        def dumps(obj: Any) -> TypedPayload:
            kind = type(obj)
            if obj is None or kind is bytes or kind is bytearray:
                return self.dumps_typed(obj)
            return ("msgpack", _Encoder(registry, memo, entries).pack(obj))

        return dumps

    def loads_typed(self, data: TypedPayload) -> Any:
        """Decode what :meth:`dumps_typed` made; never import or build an unregistered type."""
        tag, payload = data
        if tag == "msgpack":
            return _Decoder(self.registry).unpack(payload)
        if tag == "null":
            return None
        if tag == "bytes":
            return bytes(payload)
        if tag == "bytearray":
            return bytearray(payload)
        raise CorruptDataError(
            f"payload type {tag!r} is not one this serializer reads (msgpack, null, bytes, "
            "bytearray); was it written with another serializer, such as an encrypted one?"
        )


class _Encoder:
    """One dump: the hook ormsgpack calls, and the first error it raised.

    ormsgpack replaces a hook's exception with its own ``TypeError``; the
    encoder keeps the real one so the caller sees what went wrong and where.
    """

    __slots__ = ("entries", "failure", "memo", "registry")

    def __init__(
        self,
        registry: TypeRegistry,
        memo: dict[int, tuple[Any, Any]] | None = None,
        entries: dict[type, Entry] | None = None,
    ) -> None:
        self.registry = registry
        self.failure: BaseException | None = None
        self.memo = memo
        """id → (object, what the hook made of it), shared by the dumps of one save;
        the object is kept so its id is not reused while the memo lives."""
        self.entries = {} if entries is None else entries
        """class → its registry entry, for the classes met in this dump (or save)."""

    def pack(self, obj: Any, rewritten: bool = False) -> bytes:
        try:
            return ormsgpack.packb(obj, default=self.default, option=_PACK_OPTIONS)
        except TypeError as error:
            failure = self.failure
            if isinstance(failure, SerializationError):
                raise failure from None
            if failure is not None:
                raise SerializationError(f"value cannot be serialized: {failure!r}") from failure
            if rewritten:
                raise SerializationError(f"value cannot be serialized: {error}") from None
        # A dict with keys that are not strings: the slow path rewrites such dicts.
        try:
            rewritten_obj = _keyed(obj)
        except RecursionError:
            raise SerializationError(
                "value cannot be serialized: it is nested too deeply or contains itself"
            ) from None
        return self.pack(rewritten_obj, rewritten=True)

    def default(self, obj: Any) -> Any:
        memo = self.memo
        if memo is not None:
            hit = memo.get(id(obj))
            if hit is not None and hit[0] is obj:
                return hit[1]
        try:
            encode = _ENCODERS.get(type(obj))
            made = encode(self, obj) if encode is not None else self.registered(obj)
        except Exception as error:
            # Kept, then re-raised: ormsgpack swaps it for a bare TypeError.
            if self.failure is None and isinstance(error, SerializationError):
                self.failure = error
            elif self.failure is None:
                name = type_name(type(obj))
                self.failure = SerializationError(f"cannot serialize {name}: {error!r}")
                self.failure.__cause__ = error
            raise
        if memo is not None:
            memo[id(obj)] = (obj, made)
        return made

    def registered(self, obj: Any) -> Any:
        entry = self.entries.get(type(obj))
        if entry is None:
            entry = self.registry.entry_for(type(obj))
            if entry is not None:
                self.entries[type(obj)] = entry
        if entry is None:
            if type_name(type(obj)) in PLAIN_SUBCLASSES:
                return _keyed(_subclass.plain(obj))  # packed natively: it loads as the builtin
            raise _cannot_dump(obj)
        kind = entry.kind
        if kind == "value":
            return ormsgpack.Ext(VALUE, self.pack([entry.name, _subclass.plain(obj)]))
        if kind == "enum":
            return ormsgpack.Ext(ENUM, self.pack([entry.name, obj.value]))
        if kind == "dataclass":
            fields = {field: getattr(obj, field) for field in entry.fields}
            return ormsgpack.Ext(OBJECT, self.pack([entry.name, fields]))
        if kind == "namedtuple":
            return ormsgpack.Ext(
                OBJECT, self.pack([entry.name, dict(zip(entry.fields, obj, strict=True))])
            )
        values = obj.__dict__
        if tuple(values) == entry.fields:  # as pydantic builds a model: no copy needed
            fields = values
        else:
            fields = {field: values[field] for field in entry.fields if field in values}
        if obj.__pydantic_extra__:
            fields = dict(fields)
            fields.update(obj.__pydantic_extra__)
        explicit = obj.__pydantic_fields_set__
        unset = [field for field in fields if field not in explicit]
        return ormsgpack.Ext(OBJECT, self.pack([entry.name, fields, unset]))


_ENCODERS: dict[type, Callable[[_Encoder, Any], ormsgpack.Ext]] = {
    tuple: lambda e, o: ormsgpack.Ext(TUPLE, e.pack(list(o))),
    set: lambda e, o: ormsgpack.Ext(SET, e.pack(list(o))),
    frozenset: lambda e, o: ormsgpack.Ext(FROZENSET, e.pack(list(o))),
    dt.datetime: lambda e, o: ormsgpack.Ext(DATETIME, _clock.datetime_bytes(o)),
    dt.date: lambda e, o: ormsgpack.Ext(DATE, o.isoformat().encode()),
    dt.time: lambda e, o: ormsgpack.Ext(TIME, _clock.time_bytes(o)),
    dt.timedelta: lambda e, o: ormsgpack.Ext(
        TIMEDELTA, e.pack([o.days, o.seconds, o.microseconds])
    ),
    uuid.UUID: lambda e, o: ormsgpack.Ext(UUID, o.bytes),
    decimal.Decimal: lambda e, o: ormsgpack.Ext(DECIMAL, str(o).encode()),
    # Only ints beyond 64 bits reach the hook.
    int: lambda e, o: ormsgpack.Ext(BIGINT, str(o).encode()),
}


class _Keyed:
    """A dict whose keys are not all strings, carried as key/value pairs."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[list[Any]]) -> None:
        self.pairs = pairs


_ENCODERS[_Keyed] = lambda e, o: ormsgpack.Ext(MAPPING, e.pack(o.pairs))


def _keyed(obj: Any) -> Any:
    """``obj`` with every dict that has a non-string key made a :class:`_Keyed`.

    Only dicts and lists are walked: every other container is packed by its
    own hook call, which takes this path again if it needs to.
    """
    kind = type(obj)
    if kind is dict:
        if all(type(key) is str for key in obj):
            return {key: _keyed(value) for key, value in obj.items()}
        return _Keyed([[key, _keyed(value)] for key, value in obj.items()])
    if kind is list:
        return [_keyed(item) for item in obj]
    return obj


class _Decoder:
    """One load: the ext hook ormsgpack calls, and the first error it raised."""

    __slots__ = ("failure", "models", "registry")

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = registry
        self.failure: BaseException | None = None
        self.models: dict[str, tuple[frozenset[str], Callable[[dict[str, Any], Any], Any]]] = {}
        """Stored name → (required fields, constructor) of each pydantic class met in
        this load: a list of messages looks its classes up once, not once per item."""

    def unpack(self, payload: bytes) -> Any:
        try:
            return ormsgpack.unpackb(payload, ext_hook=self.ext, option=_UNPACK_OPTIONS)
        except (ValueError, TypeError) as error:
            failure = self.failure
            if isinstance(failure, SerializationError):
                raise failure from None
            if failure is not None:
                raise CorruptDataError(f"a stored value does not decode: {failure!r}") from failure
            raise CorruptDataError(f"stored bytes are not valid msgpack: {error}") from error

    def ext(self, code: int, data: bytes) -> Any:
        try:
            decode = _DECODERS.get(code)
            if decode is None:
                raise CorruptDataError(f"unknown msgpack extension code {code} in stored bytes")
            return decode(self, data)
        except Exception as error:
            # Kept, then re-raised: ormsgpack swaps it for a bare ValueError.
            self.failure = self.failure or error
            raise

    def build(self, data: bytes) -> Any:
        body = self.unpack(data)
        if type(body) is list and len(body) == 3 and type(body[0]) is str:
            known = self.models.get(body[0])
            if known is not None and type(body[1]) is dict:
                required, construct = known
                fields = body[1]
                for field in required:
                    if field not in fields:
                        break  # the general path below says which are missing
                else:
                    return construct(fields, body[2])
        name, fields, *rest = _shaped(body, dict)
        entry = self.registry.entry_named(name)
        if entry is None:
            raise _cannot_load(name)
        missing = [field for field in entry.required if field not in fields]
        if missing:
            raise CorruptDataError(
                f"stored {name} has no value for required field(s) {', '.join(sorted(missing))}: "
                "the class gained them after the value was saved; give them defaults or "
                "migrate the stored state"
            )
        cls: Any = entry.cls
        if entry.kind == "pydantic":
            unset = rest[0] if rest else ()
            plain = _constructor(cls)
            if plain is not None:
                self.models[name] = (entry.required, plain)
                return plain(fields, unset)
            extra = cls.model_config.get("extra") == "allow"
            explicit = {f for f in fields if extra or f in entry.fields}.difference(unset)
            return cls.model_construct(explicit, **fields)
        if entry.kind == "namedtuple":
            return cls(**{f: fields[f] for f in entry.fields if f in fields})
        if entry.kind == "dataclass":
            late = entry.late
            made = cls(**{f: fields[f] for f in entry.fields if f in fields and f not in late})
            for field in late.intersection(fields):
                object.__setattr__(made, field, fields[field])
            return made
        raise CorruptDataError(f"stored {name} is an object, but the registered class is an Enum")

    def value(self, data: bytes) -> Any:
        name, value = _shaped(self.unpack(data), object)
        entry = self.registry.entry_named(name)
        if entry is None:
            raise _cannot_load(name)
        base = value_base(entry.cls)
        if entry.kind != "value" or base is None:
            raise CorruptDataError(
                f"stored {name} is a subclass of a builtin, but the registered class of that "
                f"name is stored as {entry.kind}"
            )
        if type(value) is not base:
            raise CorruptDataError(
                f"stored {name} is a {type(value).__name__} value, but the registered class "
                f"is not a subclass of {type(value).__name__}"
            )
        try:
            return entry.cls(value)
        except Exception as error:
            raise CorruptDataError(
                f"stored {name} could not be rebuilt as {entry.cls.__qualname__}(value): "
                f"{error!r}; a registered subclass of {base.__name__} must accept its value"
            ) from error

    def enum_member(self, data: bytes) -> Any:
        name, value = _shaped(self.unpack(data), object)
        entry = self.registry.entry_named(name)
        if entry is None:
            raise _cannot_load(name)
        if entry.kind != "enum":
            raise CorruptDataError(f"stored {name} is an Enum member, but the class is not an Enum")
        try:
            return entry.cls(value)
        except ValueError:
            raise CorruptDataError(
                f"stored value {value!r} is not a member of {name} any more; add it back or "
                "migrate the stored state"
            ) from None


_DECODERS: dict[int, Callable[[_Decoder, bytes], Any]] = {
    TUPLE: lambda d, b: tuple(d.unpack(b)),
    SET: lambda d, b: set(d.unpack(b)),
    FROZENSET: lambda d, b: frozenset(d.unpack(b)),
    DATETIME: lambda d, b: _clock.datetime_from(b),
    DATE: lambda d, b: dt.date.fromisoformat(b.decode()),
    TIME: lambda d, b: _clock.time_from(b),
    TIMEDELTA: lambda d, b: dt.timedelta(*d.unpack(b)),
    UUID: lambda d, b: uuid.UUID(bytes=b),
    DECIMAL: lambda d, b: decimal.Decimal(b.decode()),
    BIGINT: lambda d, b: int(b.decode()),
    MAPPING: lambda d, b: {key: value for key, value in d.unpack(b)},
    OBJECT: _Decoder.build,
    ENUM: _Decoder.enum_member,
    VALUE: _Decoder.value,
}


_AS_IS = (type(None), bool, int, float, str, bytes)
"""Default values pydantic's ``model_construct`` uses without copying them."""


@functools.cache
def _constructor(cls: Any) -> Callable[[dict[str, Any], Any], Any] | None:
    """``cls.model_construct(explicit, **fields)`` for a model with no aliases, no
    ``model_post_init`` and no private attributes, which is most (LangChain's
    messages are such models), or None for any other model. ``explicit`` is the
    stored fields the model declares (all when it allows extra ones) but the unset.

    The same instance, built without the per-field alias lookups of pydantic's
    general path: fields in declaration order, defaults as pydantic makes them
    (factories called, other defaults through ``get_default``), extra fields kept
    when the model allows them. ``fields`` is the decoder's own dict: it is consumed.
    """
    if cls.__pydantic_root_model__ or cls.__pydantic_post_init__ or cls.__private_attributes__:
        return None
    plan: list[tuple[str, int, Any]] = []
    for name, info in cls.__pydantic_fields__.items():
        if info.alias is not None or info.validation_alias is not None:
            return None
        if info.is_required():
            plan.append((name, _REQUIRED, None))
        elif info.default_factory is not None and not info.default_factory_takes_validated_data:
            plan.append((name, _FACTORY, info.default_factory))
        elif info.default_factory is None and type(info.default) in _AS_IS:
            plan.append((name, _CONSTANT, info.default))
        else:
            plan.append((name, _FIELD, info))
    allows_extra = cls.model_config.get("extra") == "allow"
    new = cls.__new__
    set_attribute = object.__setattr__

    order = tuple(cls.__pydantic_fields__)
    declared = frozenset(order)

    def construct(fields: dict[str, Any], unset: Any) -> Any:
        explicit = set(fields)
        if not allows_extra:
            explicit.intersection_update(declared)
        if unset:
            explicit.difference_update(unset)
        made = new(cls)
        if tuple(fields) == order:
            # As the encoder writes a model: every field, in declaration order, no extras.
            values, extra = fields, {}
        else:
            values = {}
            for name, how, default in plan:
                if name in fields:
                    values[name] = fields.pop(name)
                elif how == _CONSTANT:
                    values[name] = default
                elif how == _FACTORY:
                    values[name] = default()
                elif how == _FIELD:
                    values[name] = default.get_default(
                        call_default_factory=True, validated_data=values
                    )
            extra = fields
        set_attribute(made, "__dict__", values)
        set_attribute(made, "__pydantic_fields_set__", explicit)
        set_attribute(made, "__pydantic_extra__", extra if allows_extra else None)
        set_attribute(made, "__pydantic_private__", None)
        return made

    return construct


_REQUIRED, _FACTORY, _CONSTANT, _FIELD = 0, 1, 2, 3


def _shaped(body: Any, body_type: type) -> list[Any]:
    """``[name, body, ...]`` as written by the encoder, or CorruptDataError."""
    if not (
        isinstance(body, list)
        and len(body) in (2, 3)
        and isinstance(body[0], str)
        and isinstance(body[1], body_type)
    ):
        raise CorruptDataError(f"a stored object is malformed: {body!r:.80}")
    return body


def _cannot_dump(obj: Any) -> UnregisteredTypeError:
    cls = type(obj)
    name = type_name(cls)
    kind = kind_of(cls)
    if kind == "value":
        return _subclass.unregistered(obj)
    if kind is None:
        base = value_base(cls)
        written_in_c = (
            ""
            if base is None
            else f" It is a subclass of {base.__name__} written (at least partly) in C, so "
            f"its state is not visible to the serializer; store {base.__name__}(value)."
        )
        return UnstorableTypeError(
            f"type {name} cannot be saved: the serializer stores builtins, datetime, UUID, "
            "Decimal, and registered dataclasses, pydantic models, NamedTuples, Enums and "
            "Python subclasses of builtins. Convert the value to one of those before it goes "
            f"into the state.{written_in_c}"
        )
    return UnregisteredTypeError(
        f"type {name} cannot be saved: it is not registered with the serializer. Declare it "
        f"in the graph's state schema, or call `serde.register({cls.__qualname__})` "
        "(cairngraph.checkpoint.serde.register for every saver, or saver.serde.register)."
    )


def _cannot_load(name: str) -> UnregisteredTypeError:
    short = name.rsplit(".", 1)[-1]
    return UnregisteredTypeError(
        f"type {name} cannot be loaded: it is not registered with the serializer, and "
        "cairngraph never imports or builds unregistered types from stored data. Declare it in "
        f"the graph's state schema, or call `serde.register({short})` "
        "(cairngraph.checkpoint.serde.register, or saver.serde.register) before loading."
    )
