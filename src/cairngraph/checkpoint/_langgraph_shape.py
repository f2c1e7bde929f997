"""LangGraph's checkpoint dict at the saver boundary, made a :class:`Checkpoint` here only.

Code written against LangGraph's ``BaseCheckpointSaver`` calls ``put`` with
a dict (``{"v", "id", "ts", "channel_values", "channel_versions",
"versions_seen", "updated_channels", "pending_sends"}``).
``BaseCheckpointSaver.put``/``aput`` pass what they receive through
:func:`accept`, so the rest of cairngraph only ever sees :class:`Checkpoint`
records.

Invariants:

- A :class:`Checkpoint` passes through untouched (the engine's own path pays
  one ``isinstance``).
- Int versions are kept as they are, so a caller reads back what it wrote
  (the importer of LangGraph's databases instead shifts an int ``n`` to
  ``n << 32``, cairngraph's counter bits; one ``put`` never mixes the two,
  as LangGraph's savers make either ints or strings).
  LangGraph's ``"<counter>.<fraction>"`` version strings (what its savers'
  ``get_next_version`` makes) become cairngraph's ints by :func:`version_of`
  (also used by the importer of LangGraph's databases), everywhere the same
  way, so their order and equality are kept; the same mapping is used for
  ``channel_versions``, ``versions_seen`` and ``new_versions``.
- ``v`` is cairngraph's layout version (:data:`FORMAT_VERSION`), not
  LangGraph's: the record stored is cairngraph's.
- A missing ``id`` or ``ts``, or a value of the wrong kind, is an
  :class:`InvalidUpdateError` naming the key; a non-empty ``pending_sends``
  (LangGraph's format before v4, long replaced by the ``__pregel_tasks``
  channel) is refused the same way rather than silently dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cairngraph.errors import CorruptDataError, InvalidUpdateError

if TYPE_CHECKING:
    from cairngraph.checkpoint.base import Checkpoint

__all__ = ["accept", "as_checkpoint", "as_versions", "version_of"]


def version_of(version: Any) -> int:
    """cairngraph's int for one LangGraph version: ``counter << 32 | fraction bits``.

    LangGraph's savers write ``"<32-digit counter>.<random float>"``; the
    counter goes to the high bits and the fraction, scaled to 32 bits, to the
    low ones, so the order of versions is kept and the same text always gives
    the same int. A plain int ``n`` (older LangGraph savers) is ``n << 32``.

    Example::

        version_of("00000000000000000000000000000002.0.5")  # (2 << 32) | 2**31
    """
    if isinstance(version, int) and not isinstance(version, bool):
        return version << 32
    if not isinstance(version, str):
        raise CorruptDataError(f"a LangGraph channel version must be a str or int: {version!r}")
    head, _, tail = version.partition(".")
    try:
        counter = int(head)
        fraction = float(tail) if tail else 0.0
    except ValueError:
        raise CorruptDataError(
            f"LangGraph channel version {version!r} is not counter.fraction"
        ) from None
    if 0.0 <= fraction < 1.0:
        low = int(fraction * 2**32)
    else:  # not LangGraph's random float: still a function of the text
        low = int.from_bytes(hashlib.blake2b(tail.encode(), digest_size=4).digest(), "big")
    return (counter << 32) | low


def _version(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # cairngraph's own, or a LangGraph int: kept as written
    if isinstance(value, str):
        return version_of(value)
    raise InvalidUpdateError(f"{where} is {value!r}; a channel version is an int or a str")


def as_versions(versions: Mapping[str, Any], where: str = "new_versions") -> dict[str, int]:
    """``versions`` with LangGraph's string versions as cairngraph's ints.

    Example::

        as_versions({"a": 1, "b": "00000000000000000000000000000002.0.5"})
    """
    if all(type(v) is int for v in versions.values()):
        return dict(versions)
    return {channel: _version(v, f"{where}[{channel!r}]") for channel, v in versions.items()}


def as_checkpoint(checkpoint: Checkpoint | Mapping[str, Any]) -> Checkpoint:
    """``checkpoint`` as a :class:`Checkpoint`; a LangGraph-shaped dict is converted.

    Example::

        as_checkpoint({"v": 1, "id": "1ef...", "ts": "2026-01-01T00:00:00+00:00",
                       "channel_values": {}, "channel_versions": {}, "versions_seen": {}})
    """
    # base imports this module; the names it needs from base are taken at call time.
    from cairngraph.checkpoint.base import FORMAT_VERSION, Checkpoint, make_checkpoint

    if isinstance(checkpoint, Checkpoint):
        return checkpoint
    if not isinstance(checkpoint, Mapping):
        raise InvalidUpdateError(
            f"put() got a {type(checkpoint).__name__} as its checkpoint; pass a cairngraph "
            "Checkpoint or a LangGraph checkpoint dict"
        )
    for key in ("id", "ts"):
        if not isinstance(checkpoint.get(key), str):
            raise InvalidUpdateError(
                f"checkpoint[{key!r}] is {checkpoint.get(key)!r}; put() needs a LangGraph "
                "checkpoint dict with str 'id' and 'ts' (or a cairngraph Checkpoint)"
            )
    if checkpoint.get("pending_sends"):
        raise InvalidUpdateError(
            f"checkpoint {checkpoint['id']} has pending_sends, LangGraph's format before v4; "
            "put the sends as writes to the '__pregel_tasks' channel instead"
        )
    seen = checkpoint.get("versions_seen") or {}
    return make_checkpoint(
        checkpoint["id"],
        checkpoint["ts"],
        dict(checkpoint.get("channel_values") or {}),
        as_versions(checkpoint.get("channel_versions") or {}, "channel_versions"),
        {node: as_versions(v, f"versions_seen[{node!r}]") for node, v in seen.items()},
        tuple(checkpoint.get("updated_channels") or ()),
        FORMAT_VERSION,
    )


def accept(
    checkpoint: Checkpoint | Mapping[str, Any], new_versions: Mapping[str, Any]
) -> tuple[Checkpoint, dict[str, int]]:
    """What ``put`` was given, as cairngraph's ``(Checkpoint, new_versions)``.

    Example::

        checkpoint, new_versions = accept(langgraph_dict, {"messages": 2})
    """
    return as_checkpoint(checkpoint), as_versions(new_versions)
