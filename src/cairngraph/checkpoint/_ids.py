"""Time-ordered checkpoint ids.

Ids are UUIDv7-shaped strings: 48 bits of Unix milliseconds, then a counter,
then random bits. Within one process each id is greater than the one before,
even within one millisecond or when the clock steps back; ``after=`` makes a
child sort after its parent across processes too. A parent ahead of this
clock (another process's, or an imported LangGraph uuid6 id) is stepped past
by this clock's milliseconds plus random bits: children of one parent made in
different processes neither collide nor lose their time order. As lowercase fixed-width
hex, string order is time order, so "latest" is a ``max``.
"""

from __future__ import annotations

import random
import threading
import time

__all__ = ["new_checkpoint_id"]

_lock = threading.Lock()
_last = 0


def _as_int(checkpoint_id: str) -> int:
    return int(checkpoint_id.replace("-", ""), 16)


def _format(value: int) -> str:
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_checkpoint_id(after: str | None = None) -> str:
    """A new id, greater than every id this process made and than ``after``."""
    global _last
    millis = time.time_ns() // 1_000_000
    # version 7 in bits 76..79, variant 0b10 in bits 62..63, randomness in the rest.
    value = (millis << 80) | (0x7 << 76) | (0b10 << 62) | random.getrandbits(62)
    with _lock:
        parent = 0 if after is None else _as_int(after)
        if value <= parent:
            # The parent is ahead of this clock (made elsewhere, or by another scheme such
            # as LangGraph's uuid6): step past it by this clock's time, so that a sibling
            # made later, in any process, still sorts later, and two never collide.
            value = parent + 1 + (millis << 22) + random.getrandbits(22)
        if value <= _last:
            value = _last + 1 + random.getrandbits(22)
        _last = value
    return _format(value)
