"""Retention of saved checkpoints: policies, sweeps and a background sweeper.

Every saver has ``prune``, ``copy_thread``, ``delete_for_runs`` and ``sweep``
(and their async twins); this module holds the values they take and give.
See ``docs/retention.md``.

Example::

    from datetime import timedelta
    from cairngraph.checkpoint.retention import RetentionPolicy, Sweeper

    saver.sweep(RetentionPolicy(keep_last=20, ttl=timedelta(days=30)))
"""

from __future__ import annotations

from cairngraph.checkpoint._lifecycle import Sweeper
from cairngraph.checkpoint._retention import RetentionPolicy, SweepReport

__all__ = ["RetentionPolicy", "SweepReport", "Sweeper"]
