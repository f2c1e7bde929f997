"""Time-ordered checkpoint ids.

Ids are UUIDv7-shaped strings: 48 bits of Unix milliseconds, then a counter,
then random bits. Within one process each id is greater than the one before,
even within one millisecond or when the clock steps back; ``after=`` makes a
child sort after its parent across processes too. An id that has to step
past a floor steps a random distance, so children of one parent made in
different processes do not collide. As lowercase fixed-width
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
        floor = _last if after is None else max(_last, _as_int(after))
        if value <= floor:
            # Past the floor by a random step, not by one: two processes continuing one
            # parent (a fork made elsewhere, an id from another clock such as LangGraph's
            # uuid6) must not both pick parent + 1.
            value = floor + 1 + random.getrandbits(40)
        _last = value
    return _format(value)
