"""``saver.verify()``: every row of a format-2 store opened and checked, every bad one kept.

Backends feed rows table by table (:meth:`Verifier.checkpoint`,
:meth:`Verifier.writes`, :meth:`Verifier.value`) and finish with the ref rows
(:meth:`Verifier.report`). A problem is never raised: it is collected, so a
report lists every bad row, not only the first.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping

from cairngraph.checkpoint._blobs import Unfetched
from cairngraph.checkpoint._format import (
    CHECKPOINTS,
    REFS,
    VALUES,
    WRITES,
    CheckpointRow,
    Format,
    Ref,
    ValueLoader,
    ValueRow,
    Where,
    WriteRow,
)
from cairngraph.checkpoint.base import VerifyReport
from cairngraph.errors import CorruptDataError, DecryptionError, SerializationError

__all__ = ["Verifier"]


class Verifier:
    """Checks rows one by one and collects every problem (``saver.verify()``).

    Each payload is opened and decoded as a read would; then every value a
    checkpoint or write refers to (and every delta's base) must be present.
    """

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.checked = 0
        self.problems: builtins.list[Exception] = []
        self._referenced: dict[bytes, Where] = {}
        self._present: set[bytes] = set()
        self._bases: dict[bytes, bytes] = {}
        self._owners: set[tuple[bytes, str]] = set()

    def _refs(self, where: Where, refs: Iterable[tuple[str, Ref]]) -> None:
        for channel, ref in refs:
            if type(ref) is bytes or len(ref) == 2:
                try:
                    self.fmt.decode_ref(where.at(channel), ref, ValueLoader(self.fmt))
                except (CorruptDataError, DecryptionError) as error:
                    self.problems.append(error)
                except SerializationError:
                    pass  # an unregistered type is not damage
            else:
                self._referenced.setdefault(bytes(ref[0]), where.at(channel))
                if where.thread_id is not None:
                    self._owners.add((bytes(ref[0]), where.thread_id))

    def checkpoint(self, row: CheckpointRow) -> None:
        self.checked += 1
        try:
            record = self.fmt.open_checkpoint(row)
        except (CorruptDataError, DecryptionError) as error:
            self.problems.append(error)
            return
        except SerializationError:
            return
        try:
            self.fmt.metadata(row, record)
        except (CorruptDataError, DecryptionError) as error:
            self.problems.append(error)
        except SerializationError:
            pass  # an unregistered type is not damage
        where = Where(CHECKPOINTS, row.thread_id, row.checkpoint_ns, row.checkpoint_id)
        self._refs(where, record.refs.items())

    def writes(self, row: WriteRow) -> None:
        self.checked += 1
        try:
            _path, items = self.fmt.open_writes(row)
        except (CorruptDataError, DecryptionError) as error:
            self.problems.append(error)
            return
        where = Where(
            WRITES, row.thread_id, row.checkpoint_ns, row.checkpoint_id, row.task_id, row.slot
        )
        self._refs(where, ((item[0], item[2]) for item in items))

    def value(self, row: ValueRow) -> None:
        self.checked += 1
        address = bytes(row.address)
        where = Where(VALUES, address=address)
        try:
            tag, payload, base, _kept = self.fmt.open_value(row)
            self.fmt._decode(where, [tag, payload])
        except (CorruptDataError, DecryptionError) as error:
            self.problems.append(error)
            self._present.add(address)  # reported here, not again as missing
            return
        except SerializationError:
            pass
        else:
            if base is not None:
                self._bases[address] = base
        self._present.add(address)

    def unfetched(self, problems: Mapping[bytes, Unfetched]) -> None:
        """Value rows whose blob is missing or changed (``Blobs.resolve``): each reported."""
        for address, problem in problems.items():
            self.checked += 1
            where = Where(VALUES, address=address)
            self.problems.append(where.error(f"the value {problem.problem}", problem.kind))
            self._present.add(address)  # reported here, not again as missing

    def report(self, refs: Iterable[tuple[bytes, str]] = ()) -> VerifyReport:
        for address, where in self._referenced.items():
            if address not in self._present:
                self.problems.append(where.error(f"its value {address.hex()} is missing"))
        for address, base in self._bases.items():
            if base not in self._present:
                where = Where(VALUES, address=address)
                self.problems.append(where.error(f"the base {base.hex()} of this delta is missing"))
        # A missing ref row would let a value be freed while in use; a stray one
        # only keeps a value alive, which is no damage.
        have = {(bytes(address), str(thread)) for address, thread in refs}
        for address, thread_id in sorted(self._owners - have):
            where = Where(REFS, thread_id)
            self.problems.append(where.error(f"the ref row of value {address.hex()} is missing"))
        return VerifyReport(checked=self.checked, problems=self.problems)
