"""The explicit list of types a serializer may rebuild when loading.

Invariants:

- Stored data names its types by ``module.qualname``; loading looks the name
  up here and nowhere else. Nothing is imported because stored data named it,
  with one fixed exception: LangChain's message classes (a closed list of
  names in ``langchain_core``), which are built in and looked up in
  ``langchain_core.messages`` on first use.
- Only five kinds of class are storable: dataclasses, pydantic (v2) models,
  NamedTuples, Enums, and *value subclasses*: classes written in Python that
  subclass one of ``str, int, float, bytes, list, dict, tuple`` (see
  :data:`VALUE_BASES`) and are rebuilt on load as ``cls(value)``. TypedDicts
  need no entry (their values are dicts) but are walked for the classes in
  their fields. Subclasses of builtins written in C (``OrderedDict``,
  ``defaultdict``, numpy scalars) may hold state Python cannot see, so they
  are not storable.
- A closed list of value-only subclasses from well-known libraries
  (:data:`PLAIN_SUBCLASSES`, e.g. LangChain's ``TextAccessor``, the type of
  ``message.text``) needs no entry: they are saved as the plain builtin and
  load as it.
- ``register()`` takes classes or typing annotations and walks them, so
  ``register(State)`` allows every storable class anywhere in the state
  schema's field types. Leaves that are not data (``Any``, ``Callable``, type
  variables, builtins) are skipped; a class passed directly that cannot be
  stored is an error, not a silent no-op.
- A class renamed or moved keeps its stored values readable through an
  *alias*: ``register(NewName, aliases=["old.module.OldName"])`` makes the old
  name look up the new class. Values are always saved under the class's
  current name; an alias never names a second class (that is an error).
- A registry may have a parent it falls back to. Every
  :class:`~cairngraph.checkpoint.serde.MsgpackSerializer` made without an
  explicit registry falls back to the process-wide one that :func:`register`
  fills.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import sys
import threading
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeVar

import typing_extensions

from cairngraph.errors import UnregisteredTypeError, UnstorableTypeError

__all__ = [
    "PLAIN_SUBCLASSES",
    "VALUE_BASES",
    "Entry",
    "Kind",
    "TypeRegistry",
    "kind_of",
    "register",
    "register_alias",
    "shared_registry",
    "type_name",
    "value_base",
]

Kind = Literal["dataclass", "pydantic", "namedtuple", "enum", "value"]

_T = TypeVar("_T")

LANGCHAIN_MESSAGES = frozenset(
    {
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
    }
)
"""LangChain message classes every serializer may store (when langchain-core is installed)."""

VALUE_BASES: tuple[type, ...] = (str, int, float, bytes, list, dict, tuple)
"""The builtins whose subclasses can be stored as their value."""

PLAIN_SUBCLASSES = frozenset(
    {
        "langchain_core.messages.base.TextAccessor",  # ``message.text`` (langchain-core 1.x)
        "langchain_core.runnables.utils.AddableDict",  # chunks of streamed runnable output
    }
)
"""Value-only subclasses of builtins, from well-known libraries, saved as the plain builtin.

They exist for convenience (a callable ``str``, a ``dict`` with ``+``) and
mean nothing beyond their value, so a ``TextAccessor`` is saved as its
``str`` and loads as a plain ``str``. Nothing is built from this list on
load: it is consulted only when saving, and an instance that carries
attributes is still refused.
"""

_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: the class was defined by a class statement


def value_base(cls: type) -> type | None:
    """The builtin of :data:`VALUE_BASES` that ``cls`` strictly subclasses, or None.

    Example::

        value_base(TextAccessor)  # str
        value_base(str)           # None
    """
    if cls in VALUE_BASES:
        return None
    return next((base for base in cls.__mro__ if base in VALUE_BASES), None)


def type_name(cls: type) -> str:
    """The stable name a type is stored under: ``module.qualname``."""
    return f"{cls.__module__}.{cls.__qualname__}"


def kind_of(cls: Any) -> Kind | None:
    """How a class is stored, or None when it is not a storable class.

    Example::

        kind_of(MyDataclass)  # "dataclass"
        kind_of(dict)         # None
    """
    if not isinstance(cls, type):
        return None
    if issubclass(cls, enum.Enum):
        return "enum"
    if dataclasses.is_dataclass(cls):
        return "dataclass"
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return "namedtuple"
    # Duck-typed so that pydantic is never imported here.
    if hasattr(cls, "model_fields") and hasattr(cls, "model_construct"):
        return "pydantic"
    base = value_base(cls)
    if base is not None and not typing.is_typeddict(cls):  # a TypedDict's values are dicts
        written_in_python = cls.__mro__[: cls.__mro__.index(base)]
        if all(klass.__flags__ & _HEAP_TYPE for klass in written_in_python):
            return "value"
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A registered class and what storing it needs, computed once at registration."""

    cls: type
    name: str
    """``module.qualname``, the name stored with every value."""
    kind: Kind
    fields: tuple[str, ...]
    """The fields stored (all dataclass fields, NamedTuple fields, pydantic model fields)."""
    required: frozenset[str]
    """Fields a stored value must have for the class to be rebuilt."""
    late: frozenset[str]
    """Dataclass fields with ``init=False``: set after the constructor ran."""


class TypeRegistry:
    """Name → class for every type a serializer may build; thread-safe.

    Example::

        registry = TypeRegistry()
        registry.register(State)             # walks the fields' types too
        registry.lookup("app.models.Order")  # -> Order, or None
    """

    def __init__(self, *, parent: TypeRegistry | None = None) -> None:
        self.parent = parent
        self._lock = threading.Lock()
        self._by_name: dict[str, Entry] = {}
        self._by_class: dict[type, Entry] = {}

    def register(self, *items: Any, aliases: Sequence[str] = ()) -> None:
        """Allow each storable class found in ``items`` (classes or annotations, walked).

        ``aliases`` are older ``module.qualname`` names of the one class given
        (renamed or moved since values were stored): see :meth:`alias`.

        Raises :class:`UnregisteredTypeError` for a class passed directly that
        can never be stored (not a dataclass, pydantic model, NamedTuple, Enum
        or TypedDict); such classes met *inside* annotations are skipped.
        """
        if aliases and (len(items) != 1 or not isinstance(items[0], type)):
            raise TypeError(
                "register(..., aliases=[...]) takes exactly one class: the class the old "
                "names now mean"
            )
        found: dict[type, Kind] = {}
        for item in items:
            _refuse_unstorable(item)
            _walk(item, found, set())
        for cls, kind in found.items():
            self._remember(_entry(cls, kind))
        for old_name in aliases:
            self.alias(old_name, items[0])

    def alias(self, old_name: str, cls: type) -> None:
        """Load values stored under ``old_name`` as ``cls`` (which is registered too).

        For a class renamed or moved to another module: the stored data keeps
        the old ``module.qualname``; new values are saved under the new one.
        Fields the class lost are ignored on load; fields it gained need
        defaults (or the value is refused, naming them).

        Example::

            registry.alias("app.models.Customer", Client)
        """
        entry = self.entry_for(cls)
        if entry is None:
            self.register(cls)
            entry = self.entry_for(cls)
        if entry is None:  # a class found only inside annotations was not storable
            raise UnstorableTypeError(f"cannot register {type_name(cls)} under an alias")
        if not isinstance(old_name, str) or "." not in old_name:
            raise TypeError(
                f"alias {old_name!r} is not a stored type name; give the old class's "
                "'module.QualName', e.g. 'app.models.Customer'"
            )
        current = self._by_name.get(old_name)
        if current is not None and current.cls is not cls:
            raise UnregisteredTypeError(
                f"cannot make {old_name!r} an alias of {type_name(cls)}: that name already "
                f"means {type_name(current.cls)}; a stored name can load as one class only"
            )
        with self._lock:
            self._by_name[old_name] = entry

    def lookup(self, name: str) -> type | None:
        """The registered class stored under ``name``, or None."""
        entry = self.entry_named(name)
        return None if entry is None else entry.cls

    def kind(self, cls: type) -> Kind | None:
        """The kind of a *registered* class (the exact type, not its subclasses), or None."""
        entry = self.entry_for(cls)
        return None if entry is None else entry.kind

    def entry_named(self, name: str) -> Entry | None:
        """The entry stored under ``name``: this registry, its parent, then LangChain's list."""
        found = self._by_name.get(name)
        if found is None and self.parent is not None:
            return self.parent.entry_named(name)
        if found is None and name.startswith("langchain_core."):
            cls = _langchain_classes().get(name)
            if cls is not None:
                found = self._remember(_entry(cls, "pydantic"))
        if found is None and name.startswith("cairngraph."):
            own = _own_classes().get(name)
            if own is not None:
                found = self._remember(_entry(own, "dataclass"))
        return found

    def entry_for(self, cls: type) -> Entry | None:
        """The entry of exactly ``cls`` (not of its subclasses), or None."""
        found = self._by_class.get(cls)
        if found is None and self.parent is not None:
            return self.parent.entry_for(cls)
        langchain = found is None and cls.__module__.startswith("langchain_core.")
        if langchain and _langchain_classes().get(type_name(cls)) is cls:
            found = self._remember(_entry(cls, "pydantic"))
        own = found is None and cls.__module__ == "cairngraph.types"
        if own and _own_classes().get(type_name(cls)) is cls:
            found = self._remember(_entry(cls, "dataclass"))
        return found

    def names(self) -> list[str]:
        """Every name this registry (and its parent) allows, sorted; LangChain's are implied."""
        names = set(self._by_name)
        if self.parent is not None:
            names.update(self.parent.names())
        return sorted(names)

    def _remember(self, entry: Entry) -> Entry:
        with self._lock:
            self._by_name[entry.name] = entry
            self._by_class[entry.cls] = entry
        return entry


def _entry(cls: Any, kind: Kind) -> Entry:
    name = type_name(cls)
    if kind in ("enum", "value"):
        return Entry(cls, name, kind, (), frozenset(), frozenset())
    if kind == "namedtuple":
        fields = tuple(cls._fields)
        required = frozenset(fields) - set(cls._field_defaults)
        return Entry(cls, name, kind, fields, required, frozenset())
    if kind == "pydantic":
        infos = cls.model_fields
        required = frozenset(field for field, info in infos.items() if info.is_required())
        return Entry(cls, name, kind, tuple(infos), required, frozenset())
    spec = dataclasses.fields(cls)
    missing = dataclasses.MISSING
    required = frozenset(
        f.name for f in spec if f.init and f.default is missing and f.default_factory is missing
    )
    late = frozenset(f.name for f in spec if not f.init)
    return Entry(cls, name, kind, tuple(f.name for f in spec), required, late)


_SHARED = TypeRegistry()


def shared_registry() -> TypeRegistry:
    """The process-wide registry that serializers made without a registry fall back to."""
    return _SHARED


def register(first: _T, *more: Any, aliases: Sequence[str] = ()) -> _T:
    """Allow types for every default serializer in the process; usable as a class decorator.

    ``aliases`` names the class had before it was renamed or moved, so values
    stored under them load as it.

    Example::

        from cairngraph.checkpoint import serde

        @serde.register
        @dataclass
        class Order:
            id: int

        serde.register(Client, aliases=["app.models.Customer"])
    """
    _SHARED.register(first, *more, aliases=aliases)
    return first


def register_alias(old_name: str, cls: type) -> None:
    """Load values stored under ``old_name`` as ``cls``, for every default serializer.

    Example::

        register_alias("app.models.Customer", Client)  # Customer was renamed Client
    """
    _SHARED.alias(old_name, cls)


@functools.cache
def _own_classes() -> dict[str, type]:
    """cairngraph's own stored types (an interrupt, a Send and its timeout, an Overwrite
    in a pending write): allowed for every serializer.

    A saver opened on its own (``cairn`` tools, a fresh process) reads a paused
    thread's interrupt without anyone registering it.
    """
    from cairngraph import types  # a fixed module, never a name from stored data

    own = (types.Interrupt, types.Send, types.TimeoutPolicy, types.Overwrite)
    return {type_name(cls): cls for cls in own}


@functools.cache
def _langchain_classes() -> dict[str, type]:
    """LangChain's message classes by stored name, when langchain-core is installed."""
    try:
        from langchain_core import messages  # a fixed module, never a name from stored data
    except ImportError:
        return {}

    classes = (getattr(messages, name, None) for name in sorted(LANGCHAIN_MESSAGES))
    return {type_name(cls): cls for cls in classes if isinstance(cls, type)}


def _refuse_unstorable(item: Any) -> None:
    if not isinstance(item, type) or item.__module__ == "builtins":
        return
    if kind_of(item) is not None or item.__module__ in _BUILT_IN:
        return
    if typing_extensions.is_typeddict(item):
        return
    raise UnstorableTypeError(
        f"cannot register {type_name(item)}: the serializer stores dataclasses, pydantic "
        "models, NamedTuples, Enums and Python subclasses of str, int, float, bytes, list, "
        "dict or tuple (and walks TypedDicts); make it one of those, or keep it out of the "
        "graph's state"
    )


_BUILT_IN = frozenset({"datetime", "decimal", "uuid", "typing", "collections.abc"})


def _walk(item: Any, found: dict[type, Kind], seen: set[int]) -> None:
    if id(item) in seen:
        return
    seen.add(id(item))
    for arg in _annotation_args(item):
        _walk(arg, found, seen)
    kind = kind_of(item)
    if kind is not None:
        found[item] = kind
    walked = kind not in (None, "value", "enum") or typing_extensions.is_typeddict(item)
    if isinstance(item, type) and walked:
        for hint in _field_hints(item):
            _walk(hint, found, seen)


def _annotation_args(item: Any) -> Iterator[Any]:
    """The types inside ``list[X]``, ``X | None``, ``Annotated[X, ...]``, ``dict[K, V]``."""
    origin = typing.get_origin(item)
    if origin is typing.Annotated:
        yield item.__origin__
        return
    if origin is Literal:
        yield from (type(value) for value in typing.get_args(item) if isinstance(value, enum.Enum))
        return
    yield from typing.get_args(item)


def _field_hints(cls: type) -> list[Any]:
    """The field annotations of a class, each resolved on its own where possible."""
    if issubclass(cls, enum.Enum):
        return []
    if kind_of(cls) == "pydantic":
        fields: dict[str, Any] = getattr(cls, "model_fields", {})
        return [field.annotation for field in fields.values()]
    try:
        return list(typing.get_type_hints(cls, include_extras=True).values())
    except (NameError, TypeError, AttributeError):
        pass
    # One unresolvable forward reference must not hide the other fields.
    module = sys.modules.get(cls.__module__)
    scope = dict(vars(module)) if module is not None else {}
    hints: list[Any] = []
    for base in reversed(cls.__mro__):
        for raw in getattr(base, "__annotations__", {}).values():
            hints.append(_resolve(raw, scope))
    return hints


def _resolve(raw: Any, scope: dict[str, Any]) -> Any:
    if not isinstance(raw, str):
        return raw
    holder = types.SimpleNamespace(__annotations__={"field": raw})
    try:
        return typing.get_type_hints(holder, globalns=scope, include_extras=True)["field"]
    except (NameError, AttributeError, SyntaxError, TypeError):
        return None  # an annotation we cannot resolve names no class we could register
