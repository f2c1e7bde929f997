"""Which step of an enclosing graph a subgraph checkpoint was saved in.

A checkpoint saved by a subgraph records, in ``metadata["parents"]``, the
checkpoint of each enclosing namespace whose step ran it. The tools (``cairn``
and the inspector) find a step's subgraph checkpoints by that record, through
:func:`parent_in`, so the rule is written once.
"""

from __future__ import annotations

from cairngraph.checkpoint.base import CheckpointTuple

__all__ = ["parent_in"]


def parent_in(item: CheckpointTuple, ns: str) -> str | None:
    """The checkpoint of namespace ``ns`` whose step saved ``item``, when ``item`` is in a
    namespace below ``ns`` (at any depth) and records one; otherwise None.

    Example::

        subgraph_items = [i for i in saver.list(thread) if parent_in(i, "") == step_id]
    """
    item_ns = str(item.config["configurable"].get("checkpoint_ns", ""))
    if item_ns == ns or not item_ns.startswith(ns + "|" if ns else ""):
        return None
    parent = (item.metadata.get("parents") or {}).get(ns)
    return None if parent is None else str(parent)
