"""Tuples that ``list()`` yields before their contents are read.

Listing a store is often a scan for configs, ids, parents and metadata: a
thread picker, a count, the newest checkpoint of each thread. Opening every
row in full (decoding its values, fetching and decoding its pending writes)
costs several times what finding it does, so :class:`ListedTuple` carries
its config and parent config, and its *page* (the rows listed together)
opens in two stages, each for every row of the page at once, the first time
one of its tuples needs it:

1. reading a ``metadata``: each row's seal is checked, its record opened and
   the metadata of the whole page decoded in one codec call;
2. reading a ``checkpoint`` or ``pending_writes``: the page's pending writes
   are fetched and its values decoded, as an eager read does.

Invariants:

- A listed tuple is a :class:`CheckpointTuple` in every way a caller can
  observe: fields, unpacking, indexing, equality, ``repr``, ``_replace``,
  ``_asdict``, copying. Only *when* its row is opened differs.
- Damage found when a page opens raises the same
  :class:`~cairngraph.errors.CorruptDataError` an eager read raises. Pending
  writes are those stored when stage 2 runs. A checkpoint removed (pruned,
  deleted) before stage 2 still reads as it was listed while the values it
  names are stored (shared with what was kept), with no pending writes; once
  they are gone too it raises :class:`~cairngraph.errors.CheckpointNotFoundError`
  saying so, for that tuple only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, SupportsIndex, overload

from cairngraph.checkpoint._format import CheckpointRow, Record
from cairngraph.checkpoint._read import Contents
from cairngraph.checkpoint.base import (
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    RunnableConfig,
)
from cairngraph.errors import CheckpointNotFoundError

__all__ = ["ListedPage", "ListedTuple", "PageSource", "RawRow"]

RawRow = tuple[str, str, str, str | None, bytes]
"""A checkpoint row as the driver returns it: a :class:`CheckpointRow` once opened."""

_new = tuple.__new__
_item: Callable[[tuple[Any, ...], int], Any] = tuple.__getitem__


class PageSource(Protocol):
    """How a saver opens the rows of a page: the two stages of the module docstring."""

    def open_records(self, rows: Sequence[CheckpointRow]) -> list[Record]:
        """Stage 1: each row's record, its metadata decoded."""

    def open_contents(
        self, rows: Sequence[CheckpointRow], records: Sequence[Record]
    ) -> list[Contents | None]:
        """Stage 2: each row's checkpoint and pending writes, or None for a row removed
        with its values."""


class ListedPage:
    """Rows listed together, opened together (each stage once) when one of them is read."""

    __slots__ = ("_contents", "_raw", "_records", "_rows", "_source")

    def __init__(
        self,
        rows: Sequence[RawRow],
        source: PageSource,
        records: Sequence[Record] | None = None,
    ) -> None:
        self._raw = rows
        self._rows = None if records is None else [_new(CheckpointRow, row) for row in rows]
        self._source = source
        self._records = records
        self._contents: list[Contents | None] | None = None

    def _opened_rows(self) -> list[CheckpointRow]:
        if self._rows is None:
            self._rows = [_new(CheckpointRow, row) for row in self._raw]
        return self._rows

    def records(self) -> Sequence[Record]:
        if self._records is None:
            self._records = self._source.open_records(self._opened_rows())
        return self._records

    def metadata(self, index: int) -> CheckpointMetadata:
        return self.records()[index].metadata  # type: ignore[return-value]  # stage 1 sets it

    def opened(self, index: int) -> Contents:
        """The checkpoint and pending writes of row ``index`` (stage 2 for the page)."""
        found_all = self._contents
        if found_all is None:
            records = self.records()
            found_all = self._contents = self._source.open_contents(self._opened_rows(), records)
        found = found_all[index]
        if found is None:
            thread_id, ns, checkpoint_id, _parent, _body = self._raw[index]
            raise CheckpointNotFoundError(
                f"checkpoint {checkpoint_id!r} of thread {thread_id!r} (namespace {ns!r}) "
                "was removed (pruned or deleted), with values only it used, after list() "
                "found it and before they were read; list again to see what the thread "
                "holds now"
            )
        return found


class ListedTuple(CheckpointTuple):
    """A :class:`CheckpointTuple` whose row opens with its page on first read.

    Held as ``(config, page, index, parent_config, None)``: the two configs
    are real, the other fields come from the opened page.
    """

    __slots__ = ()

    @classmethod
    def of(
        cls, config: RunnableConfig, parent: RunnableConfig | None, page: ListedPage, index: int
    ) -> ListedTuple:
        return _new(cls, (config, page, index, parent, None))

    def _opened(self) -> Contents:
        page: ListedPage = _item(self, 1)
        return page.opened(_item(self, 2))

    @property
    def metadata(self) -> CheckpointMetadata:
        page: ListedPage = _item(self, 1)
        return page.metadata(_item(self, 2))

    @property  # a NamedTuple field, read from the page
    def checkpoint(self) -> Checkpoint:
        return self._opened()[0]

    @property
    def pending_writes(self) -> list[PendingWrite]:
        return self._opened()[1]

    def _fields_now(self) -> tuple[Any, ...]:
        page: ListedPage = _item(self, 1)
        index = _item(self, 2)
        checkpoint, pending = page.opened(index)
        return (_item(self, 0), checkpoint, page.metadata(index), _item(self, 3), pending)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fields_now())

    @overload
    def __getitem__(self, key: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: SupportsIndex | slice) -> Any:
        return self._fields_now()[key]

    def __contains__(self, value: object) -> bool:
        return value in self._fields_now()

    def count(self, value: Any) -> int:
        return self._fields_now().count(value)

    def index(self, value: Any, *bounds: SupportsIndex) -> int:
        return self._fields_now().index(value, *bounds)

    def __eq__(self, other: object) -> bool:
        return self._fields_now() == other

    def __ne__(self, other: object) -> bool:
        return self._fields_now() != other

    def __lt__(self, other: tuple[Any, ...]) -> bool:
        return self._fields_now() < other

    def __le__(self, other: tuple[Any, ...]) -> bool:
        return self._fields_now() <= other

    def __gt__(self, other: tuple[Any, ...]) -> bool:
        return self._fields_now() > other

    def __ge__(self, other: tuple[Any, ...]) -> bool:
        return self._fields_now() >= other

    def __hash__(self) -> int:
        return hash(self._fields_now())

    def __add__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return self._fields_now() + other

    def __radd__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return other + self._fields_now()

    def __mul__(self, times: SupportsIndex) -> tuple[Any, ...]:
        return self._fields_now() * times

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return repr(CheckpointTuple(*self._fields_now()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (CheckpointTuple, self._fields_now())

    def _replace(self, /, **changes: Any) -> CheckpointTuple:  # type: ignore[override]
        return CheckpointTuple(*self._fields_now())._replace(**changes)
