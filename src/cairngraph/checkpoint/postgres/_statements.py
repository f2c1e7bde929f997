"""The language in which PostgreSQL operations are written, shared by both drivers.

An operation is a generator: it yields :class:`Query` values, receives each
one's rows back (``None``, one row or all rows, as its ``fetch`` says) and
returns its result. It does no I/O itself, so the sync saver and the async
saver run the very same operation, each with a driver a dozen lines long.

Invariants:

- SQL text is constant (module-level strings and constant fragments joined
  together); every value travels as a ``%s`` parameter.
- An operation whose statements must commit together yields :class:`Atomic`
  first; the driver then runs it in one transaction. Otherwise, on an
  autocommit connection, each statement is its own transaction (most
  operations are a single statement).
- An operation that needs a blocking call between statements (a blob
  store's I/O) yields :class:`Call`: the sync driver makes the call, the
  async driver makes it in a worker thread, and its result comes back as
  a statement's rows would.
- Every operation is idempotent: running it again after a lost connection
  gives the same stored result, so a driver may retry it on a fresh
  connection.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cairngraph.checkpoint._format import Known

__all__ = ["Atomic", "Call", "Learned", "Op", "Query", "Stepper"]

Learned = dict[tuple[str, str, str], Known]
"""The refs of checkpoints an operation saved or read, by ``(thread, ns, checkpoint_id)``:
the saver learns them once they are committed."""


@dataclass(frozen=True, slots=True)
class Query:
    """One statement to execute, and which of its rows the operation wants back."""

    sql: str
    params: Sequence[Any] = ()
    fetch: Literal["none", "one", "all"] = "none"


@dataclass(frozen=True, slots=True)
class Call:
    """A blocking call to make between statements; its result is sent back."""

    function: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Atomic:
    """Yielded first by an operation that needs its statements in one transaction."""


Op = Generator[Query | Call | Atomic, Any, Any]
"""An operation: yields statements, receives their rows, returns its result."""


class Stepper:
    """Walks a driver through an operation.

    ``atomic`` says whether it needs one transaction; ``statement`` is the
    next statement to execute, whose rows go back through :meth:`reply`;
    once ``statement`` is None, ``result`` is the operation's result.

    Example (the whole of a sync driver)::

        stepper = Stepper(operation)
        while (statement := stepper.statement) is not None:
            stepper.reply(execute(statement))
        return stepper.result
    """

    def __init__(self, operation: Op) -> None:
        self._operation = operation
        self.statement: Query | Call | None = None
        self.result: Any = None
        self.atomic = False
        try:
            first = next(operation)
        except StopIteration as stop:  # nothing to execute
            self.result = stop.value
            return
        self.atomic = isinstance(first, Atomic)
        if self.atomic:
            self.reply(None)
        else:
            self._expect(first)

    def reply(self, rows: Any) -> None:
        """Hand the last statement's rows back; advance to the next statement."""
        try:
            step = self._operation.send(rows)
        except StopIteration as stop:
            self.statement, self.result = None, stop.value
            return
        self._expect(step)

    def _expect(self, step: Query | Call | Atomic) -> None:
        if not isinstance(step, Query | Call):
            raise TypeError("an operation yields Atomic first or not at all")
        self.statement = step
