"""What every backend's append-only migrations share.

Invariants:

- A released :class:`Migration` is never edited or removed; a change to the
  tables is a new entry with the next number.
- A store whose schema version is newer than the code's is refused, and left
  as it is (:func:`refuse_newer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cairngraph.errors import SchemaVersionError

__all__ = ["Migration", "refuse_newer"]


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered, named step of a schema; ``statements`` run in order."""

    version: int
    name: str
    statements: tuple[str, ...]


def refuse_newer(current: int, latest: int, store: str, remedy: str) -> None:
    """Raise :class:`SchemaVersionError` when ``store`` is at a version past ``latest``.

    Example::

        refuse_newer(current, LATEST, "checkpoints.db", "Upgrade cairngraph to open it")
    """
    if current > latest:
        raise SchemaVersionError(
            f"{store} was written by a newer cairngraph (schema version {current}; this one "
            f"knows up to {latest}). {remedy}; nothing was changed."
        )
