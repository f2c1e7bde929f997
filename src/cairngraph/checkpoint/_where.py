"""Where a stored payload lives: the place its seal binds it to, and the errors naming it.

A place is never stored inside the payload it guards: it is given again when
the payload is opened, so a payload moved to another place fails its seal.
Messages name each part of the place once (table, thread, namespace,
checkpoint, task, channel, value address), never raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import ormsgpack

from cairngraph.errors import (
    CorruptDataError,
    DecryptionError,
    MissingBlobStoreError,
    SerializationError,
)

__all__ = ["Where", "failed", "row_place"]


def row_place(
    table: str,
    thread_id: str | None,
    checkpoint_ns: str | None,
    checkpoint_id: str | None,
    task_id: str | None,
    slot: int | None,
    parent_id: str | None,
) -> bytes:
    """The place of a checkpoint or writes row, as :meth:`Where.place` makes it: the
    one definition, called directly where every step and read would build a Where."""
    return ormsgpack.packb(
        [table, thread_id, checkpoint_ns, checkpoint_id, task_id, slot, parent_id]
    )


@dataclass(frozen=True, slots=True)
class Where:
    """The place of one stored payload, for its seal and for error messages."""

    table: str
    thread_id: str | None = None
    checkpoint_ns: str | None = None
    checkpoint_id: str | None = None
    task_id: str | None = None
    slot: int | None = None
    address: bytes | None = None
    channel: str | None = None
    parent_id: str | None = None

    def place(self) -> bytes:
        """The bytes a payload here is bound to (never stored)."""
        if self.address is not None:
            return b"value\x00" + self.address
        return row_place(
            self.table,
            self.thread_id,
            self.checkpoint_ns,
            self.checkpoint_id,
            self.task_id,
            self.slot,
            self.parent_id,
        )

    def at(self, channel: str) -> Where:
        return Where(
            self.table,
            self.thread_id,
            self.checkpoint_ns,
            self.checkpoint_id,
            self.task_id,
            self.slot,
            self.address,
            channel,
            self.parent_id,
        )

    def describe(self) -> str:
        parts = [f"table {self.table}"]
        if self.thread_id is not None:
            parts.append(f"thread {self.thread_id!r}")
        if self.checkpoint_ns is not None:
            parts.append(f"namespace {self.checkpoint_ns!r}")
        if self.checkpoint_id is not None:
            parts.append(f"checkpoint {self.checkpoint_id!r}")
        if self.task_id is not None:
            parts.append(f"task {self.task_id!r}")
        if self.channel is not None:
            parts.append(f"channel {self.channel!r}")
        if self.address is not None:
            parts.append(f"value {self.address.hex()}")
        return ", ".join(parts)

    def error(self, problem: str, kind: type[SerializationError] = CorruptDataError) -> Exception:
        """``kind`` (CorruptDataError or one of its kinds, or DecryptionError): what is
        wrong here, and what to do."""
        if issubclass(kind, MissingBlobStoreError):
            # The bytes are fine: the saver lacks its blob store, nothing to restore.
            error: SerializationError = kind(
                f"stored data cannot be read at {self.describe()}: {problem}. The stored data "
                "is intact; open the saver with blobs= set to the blob store the values were "
                "saved with (a DirectoryBlobStore or S3BlobStore)."
            )
        else:
            error = kind(
                f"stored data is unreadable at {self.describe()}: {problem}. Nothing was "
                "changed; the rest of the store is readable, and saver.verify() lists every "
                "bad row. Restore the store from a backup, or delete the thread with "
                "saver.delete_thread()."
            )
        if isinstance(error, CorruptDataError | DecryptionError):
            error.placed(
                table=self.table,
                thread_id=self.thread_id,
                checkpoint_ns=self.checkpoint_ns,
                checkpoint_id=self.checkpoint_id,
                channel=self.channel,
                task_id=self.task_id,
            )
        return error

    def wrap(self, error: SerializationError) -> Exception:
        """A seal's or codec's error (which names no place) as one naming this place."""
        if isinstance(error, CorruptDataError | DecryptionError) and error.table is not None:
            return error
        if type(error) not in (CorruptDataError, DecryptionError, SerializationError):
            return type(error)(f"{self.describe()}: {error}")  # e.g. an unregistered type
        kind = DecryptionError if isinstance(error, DecryptionError) else CorruptDataError
        return self.error(str(error).rstrip("."), kind)


# -- rows as backends store them ---------------------------------------------------


def failed(where: Where, error: Exception) -> Exception:
    if isinstance(error, SerializationError):
        return where.wrap(error)
    return where.error(f"the value does not decode ({error})")
