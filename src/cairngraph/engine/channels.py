"""Channels: the containers state lives in between steps.

A channel receives all writes of one step at once (``update``) and says
whether its value changed; the engine bumps the channel's version exactly
when it did. ``snapshot()`` gives what a checkpoint stores (``MISSING`` for
nothing), and ``restore`` rebuilds the channel from it; ``fresh()`` makes an
empty copy of a prototype. Those three are the engine's API; ``checkpoint``,
``from_checkpoint`` and ``copy`` are LangGraph's names for the same
operations, kept for users who call channels directly.

A channel whose class sets ``notify_idle`` also hears about every step that
did not write it (``update([])``): that is how an ``EphemeralValue`` or a
``Topic`` empties itself after one step. A class that sets ``lapses`` holds
what only the next step may use (a fired edge, the input, ``Send`` packets):
a barrier or a deferred trigger does not lapse, it waits.

This module holds the channels the engine itself builds: ``LastValue`` and
``BinaryOperatorAggregate`` for state keys (with LangGraph's constructor
arguments, value type first), and ``Trigger``, ``Ephemeral``,
``NamedBarrier``, ``Sends`` for edges, input and ``Send`` packets (they take
the channel's key). :mod:`cairngraph.channels` is the public face: it
re-exports these and adds the channels users name in their state.

Invariant: a channel's stored value is a pure function of its version, so
savers may store one blob per (channel, version) and share it between
checkpoints.
"""

from __future__ import annotations

import collections.abc
import typing
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import typing_extensions

from cairngraph.errors import EmptyChannelError, InvalidUpdateError
from cairngraph.types import overwritten

__all__ = [
    "MISSING",
    "BaseChannel",
    "BinaryOperatorAggregate",
    "Channel",
    "DeferredTrigger",
    "Managed",
    "Ephemeral",
    "LastValue",
    "NamedBarrier",
    "Sends",
    "Trigger",
    "start_factory",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The absence of a value (``None`` is a value)."""


class BaseChannel:
    """Base class: a named holder of one value.

    Example::

        channel = LastValue(int)
        channel.update([3])
        channel.get()  # 3
    """

    __slots__ = ("key", "typ", "value")

    notify_idle: ClassVar[bool] = False
    """True if the engine must call ``update([])`` after each step that did not write it."""

    lapses: ClassVar[bool] = False
    """True if what it holds is for the next step only: when that step is replaced
    (``update_state`` acts as the step), the tasks it would have started consume it."""

    _slot_names: ClassVar[tuple[str, ...]] = ("key", "typ", "value")

    def __init__(self, typ: Any = Any, key: str = "") -> None:
        self.typ = typ
        self.key = key
        self.value: Any = MISSING

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._slot_names = tuple(
            dict.fromkeys(slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ()))
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, value={self.value!r})"

    @property
    def ValueType(self) -> Any:
        """The type of the value the channel holds."""
        return self.typ

    @property
    def UpdateType(self) -> Any:
        """The type of one write to the channel."""
        return self.typ

    # The engine's API.

    def fresh(self) -> BaseChannel:
        """An empty copy: the graph keeps one prototype, each run gets its own copies."""
        clone = object.__new__(type(self))
        for slot in self._slot_names:
            setattr(clone, slot, getattr(self, slot))
        clone.value = MISSING
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        """A copy holding ``stored`` (what :meth:`snapshot` returned)."""
        clone = self.fresh()
        clone.value = stored
        return clone

    def snapshot(self) -> Any:
        """What a checkpoint stores for this channel; ``MISSING`` stores nothing."""
        return self.value

    def for_annotation(self, inner: Any) -> BaseChannel:
        """The prototype for a state key declared ``Annotated[inner, this_channel]``."""
        return self.fresh()

    # LangGraph's names for the same operations.

    def checkpoint(self) -> Any:
        """What a checkpoint stores for this channel (``MISSING`` when empty)."""
        return self.snapshot()

    def from_checkpoint(self, checkpoint: Any) -> BaseChannel:
        """A new channel like this one, holding what :meth:`checkpoint` returned."""
        return self.restore(checkpoint)

    def copy(self) -> BaseChannel:
        """An independent copy with the same value."""
        clone = self.fresh()
        clone.value = self.value
        return clone

    def get(self) -> Any:
        """The value; raises :class:`EmptyChannelError` if there is none yet."""
        if self.value is MISSING:
            raise EmptyChannelError(f"channel {self.key!r} has no value yet")
        return self.value

    def is_available(self) -> bool:
        """True if :meth:`get` would return a value."""
        return self.value is not MISSING

    def update(self, values: Sequence[Any]) -> bool:
        """Apply one step's writes at once; True if the value changed."""
        raise NotImplementedError

    def consume(self) -> bool:
        """Called after the node it triggered ran; True if the value changed."""
        return False

    def finish(self) -> bool:
        """Called when the run is about to finish; True if the value changed."""
        return False


Channel = BaseChannel
"""The engine's name for :class:`BaseChannel`."""


class LastValue(BaseChannel):
    """A plain state key: one write per step, the newest value wins.

    Example::

        class State(TypedDict):
            topic: Annotated[str, LastValue(str)]  # the same as `topic: str`
    """

    __slots__ = ()

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        if len(values) > 1:
            raise InvalidUpdateError(
                f"state key {self.key!r} received {len(values)} values in one step, and a plain "
                "key holds one. Give the key a reducer to combine them, e.g. "
                f"`{self.key}: Annotated[list, operator.add]`, or write it from one node only."
            )
        self.value = values[0]
        return True


def _strip(annotation: Any) -> Any:
    """``list`` for ``Annotated[list[int], ...]``, ``NotRequired[list]``, ``list[int]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is None:
            return annotation
        if origin in _WRAPPERS or origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        else:
            return origin


_WRAPPERS = frozenset(
    {
        typing_extensions.Required,
        typing_extensions.NotRequired,
        typing_extensions.ReadOnly,
        typing.Required,
        typing.NotRequired,
    }
)

_CONCRETE: dict[Any, type] = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Set: set,
    collections.abc.MutableSet: set,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
}


def start_factory(typ: Any) -> Any:
    """What a reducer key starts from: ``T`` when ``T()`` builds a value, else ``MISSING``.

    LangGraph's rule: strip ``Annotated`` / ``Required`` / ``NotRequired`` and type
    arguments, replace abstract collections by ``list`` / ``set`` / ``dict``,
    then try calling the type with no arguments.
    """
    stripped = _strip(typ)
    stripped = _CONCRETE.get(stripped, stripped)
    try:
        stripped()
    except Exception:  # noqa: BLE001 - probing for a no-argument constructor, as LangGraph does
        return MISSING
    return stripped


class BinaryOperatorAggregate(BaseChannel):
    """A key with a reducer: ``Annotated[list, operator.add]`` folds every write in.

    It starts from ``typ()`` when that builds a value (``[]`` for ``list``, ``0``
    for ``int``). ``appended`` is set when the last update only appended to a
    list (the old items are the same objects, in order): savers then store only
    the tail.

    Example::

        total = BinaryOperatorAggregate(int, operator.add)
        total.update([1, 2])
        total.get()  # 3
    """

    __slots__ = ("appended", "operator", "start")

    def __init__(self, typ: Any, operator: Callable[[Any, Any], Any]) -> None:
        super().__init__(typ)
        self.operator = operator
        self.start = start_factory(typ)
        self.appended: int | None = None
        if self.start is not MISSING:
            self.value = self.start()

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        assert isinstance(clone, BinaryOperatorAggregate)
        clone.value = self.start() if self.start is not MISSING else MISSING
        clone.appended = None
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        if stored is not MISSING:
            clone.value = stored
        return clone

    def update(self, values: Sequence[Any]) -> bool:
        self.appended = None
        if not values:
            return False
        old = current = self.value
        reducer = self.operator
        replaced = False
        for value in values:
            # An Overwrite replaces what the writes before it made; later ones are ignored.
            is_overwrite, replacement = overwritten(value)
            if is_overwrite:
                if replaced:
                    raise InvalidUpdateError(
                        f"state key {self.key!r} received two Overwrite values in one step; "
                        "it can take one Overwrite a step. Overwrite it from one node only."
                    )
                current, replaced = replacement, True
            elif not replaced:
                current = value if current is MISSING else reducer(current, value)
        self.value = current
        if (
            type(old) is list
            and type(current) is list
            and len(current) >= len(old)
            and all(a is b for a, b in zip(old, current, strict=False))
        ):
            self.appended = len(old)
        return True


class NamedBarrier(BaseChannel):
    """The join of ``add_edge([a, b], c)``: available once every source has written."""

    __slots__ = ("names",)

    def __init__(self, key: str, names: Sequence[str] | collections.abc.Set[str]) -> None:
        super().__init__(str, key)
        self.names = frozenset(names)

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        clone.value = set()
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        clone.value = set(stored) if stored is not MISSING else set()
        return clone

    def copy(self) -> BaseChannel:
        clone = self.fresh()
        clone.value = set(self.value)
        return clone

    def snapshot(self) -> Any:
        # LangGraph's form: the set of sources seen, empty once consumed.
        return set(self.value)

    def is_available(self) -> bool:
        return bool(self.value) and self.value >= self.names

    def update(self, values: Sequence[Any]) -> bool:
        new = {value for value in values if value in self.names} - self.value
        self.value |= new
        return bool(new)

    def consume(self) -> bool:
        if self.is_available():
            self.value = set()
            return True
        return False


class Trigger(BaseChannel):
    """Starts a node: its version is the trigger; it holds ``None`` once written.

    The engine forgets a trigger's version when its node has run, so a saved
    checkpoint shows ``branch:to:<node>: None`` exactly while the node is due,
    as LangGraph's checkpoints do.
    """

    __slots__ = ()
    lapses = True

    def __init__(self, key: str) -> None:
        super().__init__(None, key)

    def fresh(self) -> BaseChannel:
        clone = object.__new__(Trigger)
        clone.key = self.key
        clone.typ = None
        clone.value = MISSING
        return clone

    def is_available(self) -> bool:
        return True

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.value = None
        return True


class Ephemeral(LastValue):
    """Holds the run's input for the one step that reads it."""

    __slots__ = ()
    lapses = True

    def __init__(self, key: str) -> None:
        super().__init__(Any, key)

    def consume(self) -> bool:
        if self.value is MISSING:
            return False
        self.value = MISSING
        return True


class Sends(BaseChannel):
    """Collects the ``Send`` packets of a step; the next step consumes them all."""

    __slots__ = ()
    lapses = True

    def __init__(self, key: str) -> None:
        super().__init__(Any, key)
        self.value = []

    def fresh(self) -> BaseChannel:
        clone = super().fresh()
        clone.value = []
        return clone

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        clone.value = list(stored) if stored is not MISSING else []
        return clone

    def copy(self) -> BaseChannel:
        clone = self.fresh()
        clone.value = list(self.value)
        return clone

    def snapshot(self) -> Any:
        # Empty once consumed, as LangGraph's ``__pregel_tasks`` topic is.
        return list(self.value)

    def is_available(self) -> bool:
        return bool(self.value)

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.value = [*self.value, *values]
        return True

    def consume(self) -> bool:
        if self.value:
            self.value = []
            return True
        return False


class DeferredTrigger(Channel):
    """Starts a ``defer=True`` node, but only once nothing else is left to run.

    Written like a :class:`Trigger`; it becomes available when the engine
    calls :meth:`finish` (no other task is pending), and resets when the node
    has run. Its stored value says which of the two it is waiting for, in
    LangGraph's form: ``[None, False]`` written, ``[None, True]`` finished
    (checkpoints saved before read ``"written"``/``"finished"``).
    """

    __slots__ = ()

    def __init__(self, key: str) -> None:
        super().__init__(None, key)

    def restore(self, stored: Any) -> BaseChannel:
        clone = self.fresh()
        if isinstance(stored, list | tuple) and len(stored) == 2:
            clone.value = "finished" if stored[1] else "written"
        else:
            clone.value = stored
        return clone

    def snapshot(self) -> Any:
        if self.value is MISSING:
            return MISSING
        return [None, self.value == "finished"]

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        self.value = "written"
        return True

    def is_available(self) -> bool:
        return bool(self.value == "finished")

    def finish(self) -> bool:
        if self.value == "written":
            self.value = "finished"
            return True
        return False

    def consume(self) -> bool:
        if self.value == "finished":
            self.value = MISSING
            return True
        return False


class Managed(BaseChannel):
    """A managed value's slot (``RemainingSteps``...): set by the engine each step, never saved."""

    __slots__ = ()

    def __init__(self, key: str) -> None:
        super().__init__(None, key)

    def snapshot(self) -> Any:
        return MISSING

    def update(self, values: Sequence[Any]) -> bool:
        return False
