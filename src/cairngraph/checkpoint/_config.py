"""Reading a run's config dict, in one place for every saver.

Invariants:

- A missing ``thread_id`` is an :class:`InvalidConfigError` saying how to pass one.
- ``checkpoint_ns`` defaults to ``""`` (the root graph); ``checkpoint_id``
  to None ("the latest").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cairngraph.errors import InvalidConfigError

__all__ = [
    "RunnableConfig",
    "checkpoint_config",
    "config_checkpoint_id",
    "config_namespace",
    "config_thread_id",
    "metadata_matches",
]

RunnableConfig = dict[str, Any]
"""The config dict of LangGraph's API: ``{"configurable": {"thread_id": ...}, ...}``."""


def config_thread_id(config: RunnableConfig) -> str:
    """The ``thread_id`` of ``config``, as a string; a clear error when it is missing."""
    configurable = config.get("configurable") or {}
    thread_id = configurable.get("thread_id")
    if thread_id is None:
        raise InvalidConfigError(
            "the config has no thread_id; a checkpointer needs one to know where to save. "
            'Pass config={"configurable": {"thread_id": "some-id"}}.'
        )
    return str(thread_id)


def config_namespace(config: RunnableConfig) -> str:
    """The ``checkpoint_ns`` of ``config``; ``""`` (the root graph) when absent."""
    return str((config.get("configurable") or {}).get("checkpoint_ns", ""))


def config_checkpoint_id(config: RunnableConfig) -> str | None:
    """The ``checkpoint_id`` of ``config``, or ``None`` for "the latest"."""
    checkpoint_id = (config.get("configurable") or {}).get("checkpoint_id")
    return None if checkpoint_id is None else str(checkpoint_id)


def checkpoint_config(thread_id: str, namespace: str, checkpoint_id: str) -> RunnableConfig:
    """The config that points at exactly one checkpoint."""
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": namespace,
            "checkpoint_id": checkpoint_id,
        }
    }


def metadata_matches(metadata: Mapping[str, Any], filter: Mapping[str, Any] | None) -> bool:
    """True when every key of ``filter`` is in ``metadata`` with an equal value."""
    if not filter:
        return True
    missing = object()
    return all(metadata.get(key, missing) == value for key, value in filter.items())
