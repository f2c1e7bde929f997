"""What a running node can ask for without taking parameters.

``get_config()`` is the node's config (thread, namespace, metadata such as
``langgraph_node``), ``get_stream_writer()`` the function that sends a chunk to
``stream_mode="custom"``, ``get_store()`` the graph's store. Each works inside
a node (or a function it calls, in the same thread or task) and raises a clear
error elsewhere.

Example::

    def node(state):
        writer = get_stream_writer()
        writer({"progress": "halfway"})
        return {"done": True}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cairngraph.checkpoint.base import RunnableConfig
from cairngraph.engine._context import current_task

if TYPE_CHECKING:
    from cairngraph.store.base import BaseStore

__all__ = ["get_config", "get_store", "get_stream_writer"]


def get_config() -> RunnableConfig:
    """The config of the node running now."""
    return current_task("get_config()").node_config()


def get_stream_writer() -> Callable[[Any], None]:
    """The running node's writer for ``stream_mode="custom"`` (a no-op when nobody listens)."""
    return current_task("get_stream_writer()").runtime.stream_writer


def get_store() -> BaseStore | None:
    """The store the graph was compiled with (``compile(store=...)``), or None.

    Example::

        def remember(state):
            get_store().put(("memories", state["user"]), "last", {"text": state["text"]})
            return {}
    """
    store: BaseStore | None = current_task("get_store()").runtime.store
    return store
