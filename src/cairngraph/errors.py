"""Every error cairngraph raises on purpose.

One root, :class:`CairnGraphError`. Each concrete error also subclasses the
builtin a caller would naturally catch, so ``except ValueError`` keeps working::

    CairnGraphError
    ├── InvalidGraphError (ValueError)          the graph cannot be compiled
    ├── InvalidUpdateError (ValueError)         a node wrote something the state cannot take
    ├── InvalidConfigError (ValueError)         the config dict is missing or has a bad entry
    │   └── MissingThreadIdError (KeyError)     a checkpointed run or state read without thread_id
    ├── EmptyInputError (ValueError)            ``invoke(None)`` on a thread with nothing to resume
    ├── InvalidResumeError (ValueError)         ``Command(resume=...)`` with no interrupt waiting
    │   └── AmbiguousResumeError (RuntimeError) a bare resume while several interrupts wait
    ├── CheckpointNotFoundError (LookupError)   a ``checkpoint_id`` that is not saved
    ├── StateVersionError (ValueError)          a checkpoint's state version this graph cannot read
    ├── GraphRecursionError (RecursionError)    the run hit ``recursion_limit``
    ├── ThreadBusyError (RuntimeError)          another run holds the thread
    ├── OutsideRunError (RuntimeError)          a ``@task`` called while no graph runs
    ├── NodeTimeoutError                        an attempt of a node or task ran past its timeout
    ├── ThreadDeletedError (LookupError)        a save continuing a thread deleted meanwhile
    ├── EmptyChannelError (LookupError)         a channel read before it was written (internal)
    ├── SerializationError (ValueError)         a value cannot become bytes, or bytes a value
    │   ├── UnregisteredTypeError (TypeError)   a type that is not in the registry: register it
    │   │   └── UnstorableTypeError             a type no registration makes storable
    │   ├── CorruptDataError                    bytes that do not decode
    │   │   └── MissingBlobStoreError           a value kept in a blob store the saver was not given
    │   └── DecryptionError                     wrong key or tampered payload
    └── StorageError (OSError)                  the store cannot be opened or used
        ├── SchemaVersionError                  a store written by a newer cairngraph
        ├── ReadOnlyStorageError                a write to a store opened read-only
        │   └── StaleSchemaError                its tables are missing or older: migrate it
        ├── WriteRefusedError                   a trigger or constraint refused a write
        └── StorageUnavailableError             the store's server cannot be reached

:class:`GraphInterrupt` is not an error: it is how ``interrupt()`` unwinds a
node, and the engine always catches it. It derives from ``CairnGraphError`` so
that it is never mistaken for a user's exception.

Every message says what went wrong, where (node, key, thread, checkpoint) and
how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "AmbiguousResumeError",
    "CairnGraphError",
    "CheckpointNotFoundError",
    "CorruptDataError",
    "DecryptionError",
    "EmptyChannelError",
    "EmptyInputError",
    "GraphInterrupt",
    "GraphRecursionError",
    "InvalidConfigError",
    "InvalidGraphError",
    "InvalidResumeError",
    "InvalidUpdateError",
    "MissingBlobStoreError",
    "MissingThreadIdError",
    "NodeError",
    "NodeInterrupt",
    "NodeTimeoutError",
    "ParentCommand",
    "ReadOnlyStorageError",
    "SchemaVersionError",
    "SerializationError",
    "StateVersionError",
    "StorageError",
    "StaleSchemaError",
    "StorageUnavailableError",
    "OutsideRunError",
    "ThreadBusyError",
    "ThreadDeletedError",
    "UnknownKeyWarning",
    "UnregisteredTypeError",
    "UnstorableTypeError",
    "WriteRefusedError",
]


class CairnGraphError(Exception):
    """Root of every error cairngraph raises on purpose."""


class InvalidGraphError(CairnGraphError, ValueError):
    """The graph cannot be compiled; ``problems`` lists every reason at once."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"the graph has {count} {noun}:\n{listing}")


class InvalidUpdateError(CairnGraphError, ValueError):
    """A node (or ``update_state``) wrote something the state cannot accept."""


class InvalidConfigError(CairnGraphError, ValueError):
    """The ``config`` dict is missing an entry or has a bad one."""


class MissingThreadIdError(InvalidConfigError, KeyError):
    """A checkpointed run (or a read of its state) was given no ``thread_id``.

    Both a ``ValueError`` and a ``KeyError``: LangGraph raises either, depending on the
    config and the call, so ``except`` clauses written for it catch this one.
    """

    def __str__(self) -> str:
        # The message as written, not KeyError's quoted repr of it.
        return str(self.args[0]) if self.args else ""


class EmptyInputError(CairnGraphError, ValueError):
    """``invoke(None, config)`` on a thread that has nothing to resume."""


class InvalidResumeError(CairnGraphError, ValueError):
    """``Command(resume=...)`` sent to a thread that is not waiting on an interrupt."""


class AmbiguousResumeError(InvalidResumeError, RuntimeError):
    """A bare ``Command(resume=value)`` while several interrupts wait: which one is meant?

    Also a ``RuntimeError``, which is what LangGraph raises here.
    """


class CheckpointNotFoundError(CairnGraphError, LookupError):
    """The config names a ``checkpoint_id`` that the checkpointer does not hold."""


class StateVersionError(CairnGraphError, ValueError):
    """A checkpoint was written with a state version this graph cannot migrate.

    Either the checkpoint is newer than the graph (written by newer code), or
    no migration leads from its version to the graph's. The message names both
    versions, the thread and the checkpoint.
    """


class GraphRecursionError(CairnGraphError, RecursionError):
    """The run took more supersteps than ``recursion_limit`` allows."""


class ThreadBusyError(CairnGraphError, RuntimeError):
    """Another run holds the thread and did not let go in time."""


class OutsideRunError(CairnGraphError, RuntimeError):
    """A ``@task`` was called while no entrypoint or graph node runs in this context."""


class NodeTimeoutError(CairnGraphError):
    """An attempt of a node or task ran past its ``timeout`` and was cancelled.

    ``kind`` says which limit fired (``"run"``: the wall-clock ``run_timeout``;
    ``"idle"``: ``idle_timeout`` without progress) and ``timeout`` its value;
    ``run_timeout`` and ``idle_timeout`` are the policy's (None when not set);
    ``elapsed`` is the attempt's age, in seconds, when it fired. Nothing the
    attempt wrote is kept. As in LangGraph it is not a builtin ``TimeoutError``
    (an ``OSError``), so the default ``RetryPolicy`` retries it.

    Example::

        try:
            await graph.ainvoke(inputs, config)
        except NodeTimeoutError as error:
            print(error.node, error.kind, error.timeout)
            await graph.ainvoke(None, config)   # runs the step again
    """

    def __init__(
        self,
        node: str,
        elapsed: float,
        *,
        kind: Literal["idle", "run"],
        idle_timeout: float | None = None,
        run_timeout: float | None = None,
    ) -> None:
        if kind == "run":
            if run_timeout is None:
                raise ValueError("NodeTimeoutError(kind='run') needs run_timeout=")
            self.timeout: float = run_timeout
            # LangGraph's wording, so code that reads the message sees the same text.
            message = (
                f"Node '{node}' exceeded its run timeout of {run_timeout:.3f}s "
                f"(elapsed: {elapsed:.3f}s)."
            )
        elif kind == "idle":
            if idle_timeout is None:
                raise ValueError("NodeTimeoutError(kind='idle') needs idle_timeout=")
            self.timeout = idle_timeout
            message = (
                f"Node '{node}' exceeded its idle timeout of {idle_timeout:.3f}s without "
                f"making progress (elapsed: {elapsed:.3f}s)."
            )
        else:
            raise ValueError(f"NodeTimeoutError(kind={kind!r}): kind is 'run' or 'idle'")
        super().__init__(message)
        self.node = node
        self.elapsed = elapsed
        self.kind: Literal["idle", "run"] = kind
        self.run_timeout = run_timeout
        self.idle_timeout = idle_timeout


@dataclass(frozen=True, slots=True)
class NodeError:
    """What a node's error handler is told: which node failed, and with what.

    Not an exception: a record handed to the handler of ``add_node(...,
    error_handler=handler)`` (or ``set_node_defaults(error_handler=...)``) when
    its parameter is annotated ``error: NodeError``, as in LangGraph. After a
    restart (``invoke(None, config)`` once the handler failed or paused),
    ``error`` is the saved failure as text, ``"ValueError('boom')"``, since a
    stored exception is never rebuilt as a type.

    Example::

        def recover(state: State, error: NodeError) -> Command:
            return Command(update={"status": f"{error.node} failed: {error.error}"}, goto="retry")
    """

    node: str
    """The name of the node that failed."""
    error: BaseException | str
    """What the node raised (after its retry policy gave up)."""


class ThreadDeletedError(CairnGraphError, LookupError):
    """A save continues a thread that ``delete_thread`` deleted after the run read it."""


class EmptyChannelError(CairnGraphError, LookupError):
    """A channel was read before anything was written to it."""


class SerializationError(CairnGraphError, ValueError):
    """A value could not be turned into bytes, or bytes back into a value."""


class UnregisteredTypeError(SerializationError, TypeError):
    """A type that is not in the serializer's registry, named in the message.

    Registering the type (or loading the graph whose state declares it) fixes it,
    unless the error is an :class:`UnstorableTypeError`.
    """


class UnstorableTypeError(UnregisteredTypeError):
    """A type the serializer cannot store even when registered (a numpy array, a class
    of an unsupported kind, a builtin subclass carrying attributes); the message says
    what to store instead."""


class _Placed:
    """Where a stored payload lives: set on the errors that are about stored bytes.

    ``table`` is the table (or, for the in-memory saver, the kind of record);
    the others are ``None`` when the row has no such part (a content-addressed
    value shared by threads belongs to no thread).
    """

    table: str | None = None
    thread_id: str | None = None
    checkpoint_ns: str | None = None
    checkpoint_id: str | None = None
    channel: str | None = None
    task_id: str | None = None

    def placed(self, **place: str | None) -> None:
        for key, value in place.items():
            if key not in _PLACE_KEYS:
                raise TypeError(f"unknown place {key!r}; use one of {', '.join(_PLACE_KEYS)}")
            setattr(self, key, value)


_PLACE_KEYS = ("table", "thread_id", "checkpoint_ns", "checkpoint_id", "channel", "task_id")


class CorruptDataError(_Placed, SerializationError):
    """Stored bytes that fail their check or do not decode; the message names where they are.

    ``table``, ``thread_id``, ``checkpoint_ns``, ``checkpoint_id``, ``channel``
    and ``task_id`` say the same place as attributes (``None`` when unknown).
    """


class MissingBlobStoreError(CorruptDataError):
    """A value whose body is kept in a blob store, read by a saver opened without one.

    The stored data is intact: open the saver with ``blobs=`` set to the store the
    values were saved with (``cairn``: ``--blobs`` or ``CAIRN_BLOBS``). A
    :class:`CorruptDataError`, so code that handles unreadable values handles it too;
    carries the same place attributes.
    """


class DecryptionError(_Placed, SerializationError):
    """An encrypted payload that the configured keys cannot open, or one moved from its place.

    Carries the same place attributes as :class:`CorruptDataError`.
    """


class StorageError(CairnGraphError, OSError):
    """The checkpoint store cannot be opened or used."""


class SchemaVersionError(StorageError):
    """The store was written by a newer cairngraph than this one."""


class ReadOnlyStorageError(StorageError):
    """A write to a store that was opened read-only; every read still works.

    The message says how to open the store writable.
    """


class StaleSchemaError(ReadOnlyStorageError):
    """A store opened read-only whose tables are missing or older than this cairngraph
    reads: it must be opened writable once (or migrated) before it can be read."""


class WriteRefusedError(StorageError):
    """The database refused a write: a trigger or constraint added to cairngraph's tables.

    Nothing of the refused batch was written. The message names the items, the
    table and the trigger or constraint, and what to change.
    """


class StorageUnavailableError(StorageError):
    """The store's server cannot be reached (down, restarting, network).

    Every step committed before it is safe: once the server is back, the run
    continues with ``invoke(None, config)``. A worker may catch this error to
    retry later.
    """


class GraphInterrupt(CairnGraphError):
    """Raised inside a node by ``interrupt()``; the engine catches it and pauses the run."""

    def __init__(self, interrupts: Sequence[Any] = ()) -> None:
        self.interrupts = tuple(interrupts)
        super().__init__(self.interrupts)


class NodeInterrupt(GraphInterrupt):
    """Raised by a node to pause the run there with ``value`` (deprecated, as in LangGraph).

    ``interrupt(value)`` (:mod:`cairngraph.types`) is the way now: it also takes the
    answer of ``Command(resume=)``. A node that raises this is run again from its
    start when the thread resumes (``invoke(None, config)``), typically after
    ``update_state`` changed what made it stop.

    Example::

        def pay(state):
            if state["amount"] > 100 and not state.get("approved"):
                raise NodeInterrupt(f"amount {state['amount']} needs approval")
            return {"log": "paid"}
    """

    def __init__(self, value: Any, id: str | None = None) -> None:
        import warnings

        from cairngraph.types import Interrupt

        warnings.warn(
            "NodeInterrupt is deprecated: call cairngraph.types.interrupt(value) in the node "
            "instead (it pauses the same way and also receives Command(resume=...)).",
            DeprecationWarning,
            stacklevel=2,
        )
        # LangGraph gives such an interrupt this fixed id (it is not addressed by resumes).
        super().__init__([Interrupt(value=value, id="placeholder-id" if id is None else id)])


class ParentCommand(CairnGraphError):
    """How ``Command(graph=Command.PARENT)`` leaves a subgraph: the engine of the parent
    graph catches it and applies the command as the output of the node that ran the
    subgraph. Like :class:`GraphInterrupt`, it is never a user's error."""

    def __init__(self, command: Any) -> None:
        super().__init__(f"Command(graph=Command.PARENT) from a subgraph: {command!r}")
        self.command = command


class UnknownKeyWarning(UserWarning):
    """A node or an input wrote a key the state schema does not have; the value is dropped.

    LangGraph drops such keys silently; cairngraph keeps the behaviour but
    warns. ``compile(strict=True)`` turns it into :class:`InvalidUpdateError`.
    """


class InvalidCacheEntryError(CairnGraphError, ValueError):
    """A cache key, namespace or ttl that :mod:`cairngraph.cache` cannot take; nothing was written.

    A key is ``(namespace, key)``: a tuple of strings and a string. A ttl is
    None (keep forever) or a number of seconds, zero or more.
    """


__all__ += ["InvalidCacheEntryError"]  # kept at the end: errors added by later packages
