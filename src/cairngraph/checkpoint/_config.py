"""Reading a run's config dict, in one place for every saver.

Invariants:

- A missing ``thread_id`` is a :class:`MissingThreadIdError` (an ``InvalidConfigError``, also a
  ``KeyError`` as LangGraph raises) saying how to pass one.
- ``checkpoint_ns`` defaults to ``""`` (the root graph); ``checkpoint_id``
  to None ("the latest").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cairngraph.errors import InvalidConfigError, MissingThreadIdError

__all__ = [
    "ListQuery",
    "RunnableConfig",
    "checkpoint_config",
    "config_checkpoint_id",
    "config_namespace",
    "config_thread_id",
    "metadata_matches",
    "page_limit",
]

RunnableConfig = dict[str, Any]
"""The config dict of LangGraph's API: ``{"configurable": {"thread_id": ...}, ...}``."""


def config_thread_id(config: RunnableConfig) -> str:
    """The ``thread_id`` of ``config``, as a string; a clear error when it is missing."""
    configurable = config.get("configurable") or {}
    thread_id = configurable.get("thread_id")
    if thread_id is None:
        raise MissingThreadIdError(
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


def page_limit(method: str, limit: int | None) -> int | None:
    """``limit`` checked for ``list()``/``threads()``: an int or None; below 0 counts as 0."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise InvalidConfigError(f"{method}(limit=...) takes an int or None, not {limit!r}")
    return None if limit is None else max(limit, 0)


class ListQuery:
    """The arguments of ``list()``, parsed once for every saver.

    ``thread_id``, ``checkpoint_ns`` and ``checkpoint_id`` narrow by place
    (None: any); ``before_id`` keeps smaller ids; ``filter`` is decided in
    Python by :meth:`matches` on every backend alike (so ``{"flag": 1}``
    matches a stored ``True`` everywhere, as ``1 == True`` in Python); and
    ``limit`` caps the count after filtering.

    Example::

        query = ListQuery.of(config, filter={"source": "loop"}, before=None, limit=10)
    """

    __slots__ = ("before_id", "checkpoint_id", "checkpoint_ns", "filter", "limit", "thread_id")

    def __init__(
        self,
        thread_id: str | None,
        checkpoint_ns: str | None,
        checkpoint_id: str | None,
        before_id: str | None,
        filter: Mapping[str, Any] | None,
        limit: int | None,
    ) -> None:
        self.thread_id, self.checkpoint_ns, self.checkpoint_id = (
            thread_id,
            checkpoint_ns,
            checkpoint_id,
        )
        self.before_id, self.filter, self.limit = before_id, dict(filter or {}), limit

    @classmethod
    def of(
        cls,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> ListQuery:
        configurable = (config or {}).get("configurable") or {}
        if filter is not None and not isinstance(filter, Mapping):
            raise InvalidConfigError(
                f"list(filter=...) takes a mapping of metadata keys to values, not "
                f"{type(filter).__name__}; for example filter={{'source': 'loop'}}"
            )

        def text(key: str) -> str | None:
            value = configurable.get(key)
            return None if value is None else str(value)

        return cls(
            text("thread_id"),
            text("checkpoint_ns"),
            text("checkpoint_id"),
            None if before is None else config_checkpoint_id(before),
            filter,
            page_limit("list", limit),
        )

    def where(self, mark: str) -> tuple[list[str], list[Any]]:
        """SQL conditions (``mark`` is the driver's placeholder) and their parameters.

        They narrow by place and ``before`` only; the filter is decided by
        :meth:`matches`. Column names are constants, values are parameters.
        """
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("thread_id", self.thread_id),
            ("ns", self.checkpoint_ns),
            ("checkpoint_id", self.checkpoint_id),
        ):
            if value is not None:
                clauses.append(f"{column} = {mark}")
                params.append(value)
        if self.before_id is not None:
            clauses.append(f"checkpoint_id < {mark}")
            params.append(self.before_id)
        return clauses, params

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        return metadata_matches(metadata, self.filter)
