"""Time-ordered checkpoint ids, and the stable ids of the tasks a checkpoint prepares.

Ids are UUIDv7-shaped strings: 48 bits of Unix milliseconds, then a counter,
then random bits. Within one process each id is greater than the one before,
even within one millisecond or when the clock steps back; ``after=`` makes a
child sort after its parent across processes too. A parent ahead of this
clock (another process's, or an imported LangGraph uuid6 id) is stepped past
by this clock's milliseconds plus random bits: children of one parent made in
different processes neither collide nor lose their time order. As lowercase fixed-width
hex, string order is time order, so "latest" is a ``max``.

A task id is derived from its checkpoint id, namespace, node name and path
(:func:`task_id_for`), so preparing the same checkpoint twice gives the same
ids: that is how saved pending writes find their task again after a crash,
and how an imported thread's writes are filed under the task cairngraph will
prepare. It lives here, below the engine, because the checkpoint layer needs
it too (the LangGraph import) and imports point down only.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from typing import Any

__all__ = ["new_checkpoint_id", "task_id_for"]

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


def task_id_for(checkpoint_id: str, namespace: str, name: str, path: tuple[Any, ...]) -> str:
    """A stable, UUID-shaped id for a task prepared from a checkpoint.

    Example::

        task_id_for(checkpoint.id, "", "generate_joke", ("__pregel_pull", "generate_joke"))
    """
    raw = "|".join((checkpoint_id, namespace, name, *map(str, path))).encode()
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"
